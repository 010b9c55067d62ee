package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.Registry;
import dev.ballast.queue.JobCodec;
import dev.ballast.queue.JobQueue;
import dev.ballast.queue.JobType;
import dev.ballast.queue.Workers;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;

/** Job queues in a Spring application: drained in the shutdown phases, shown and managed by the actuator endpoint. */
class BallastQueuesTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.shared();

  static final JobType<String> EMAIL = JobType.of("email", JobCodec.utf8());

  /** A dependency of the handler that the application closes with the context, as a data source or client. */
  public static class Mailer implements DisposableBean {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CountDownLatch closed = new CountDownLatch(1);

    /** It uses a Ballast policy, as a real client would, so Spring destroys it before the registry. */
    public Mailer(Registry registry) {}

    void send(String to) {
      if (closed.getCount() == 0) {
        throw new IllegalStateException("mailer already closed");
      }
      events.add("sent " + to);
    }

    @Override
    public void destroy() {
      events.add("mailer closed");
      closed.countDown();
    }
  }

  /** The application's wiring: a handler on the queue {@code mail}, released when the context starts closing. */
  @Configuration(proxyBeanMethods = false)
  static class MailApplication {
    static final CountDownLatch STARTED = new CountDownLatch(1);
    static final CountDownLatch CLOSING = new CountDownLatch(1);
    static final AtomicBoolean INTERRUPTED = new AtomicBoolean();

    @Bean
    Mailer mailer(Registry registry) {
      return new Mailer(registry);
    }

    @Bean
    Object mailWorker(Registry registry, Mailer mailer) {
      registry.get("mail", JobQueue.class).register(EMAIL, Workers.of(1), job -> {
        STARTED.countDown();
        try {
          assertThat(CLOSING.await(20, TimeUnit.SECONDS)).isTrue();
          // Give a wrong shutdown order every chance to show: were the mailer closed while this job is in flight,
          // it would be closed within this second. With the queue drained first it cannot be, and the wait ends.
          mailer.closed.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          INTERRUPTED.set(true);
          throw e;
        }
        mailer.send(job.payload());
      });
      return "mail worker";
    }

    @Bean
    ApplicationListener<ContextClosedEvent> releaseOnClose() {
      return event -> CLOSING.countDown();
    }
  }

  @Test
  void aJobInFlightFinishesBeforeTheBeansItUsesAreDestroyed(RedisServer redis) {
    RedisClient client = RedisClient.create(redis.uri());
    try {
      new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
          .withBean(RedisClient.class, () -> client).withUserConfiguration(MailApplication.class)
          .withPropertyValues("ballast.queues.mail.keyPrefix=spring-drain-" + System.nanoTime(),
              "ballast.queues.mail.pollInterval=20ms")
          .run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(BallastQueueShutdown.class);
            Mailer mailer = context.getBean(Mailer.class);
            context.getBean(Registry.class).get("mail", JobQueue.class).enqueue(EMAIL, "ann");
            assertThat(MailApplication.STARTED.await(20, TimeUnit.SECONDS)).as("the job started").isTrue();

            context.close(); // returns once the queue drained and every bean is destroyed

            assertThat(MailApplication.INTERRUPTED).isFalse();
            assertThat(mailer.events).containsExactly("sent ann", "mailer closed");
          });
    } finally {
      client.shutdown();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void theEndpointShowsTheQueuesAndRequeuesOrPurgesDeadLetters(RedisServer redis) {
    RedisClient client = RedisClient.create(redis.uri());
    JobType<String> report = JobType.of("report", JobCodec.utf8());
    AtomicBoolean fixed = new AtomicBoolean();
    List<String> done = new CopyOnWriteArrayList<>();
    try {
      new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
          .withBean(RedisClient.class, () -> client)
          .withPropertyValues("management.endpoints.web.exposure.include=ballast",
              "ballast.queues.reports.keyPrefix=spring-dead-" + System.nanoTime(), "ballast.queues.reports.maxAttempts=1",
              "ballast.queues.reports.pollInterval=20ms")
          .run(context -> {
            JobQueue queue = context.getBean(Registry.class).get("reports", JobQueue.class);
            queue.register(report, Workers.of(1), job -> {
              if (!fixed.get()) {
                throw new IllegalStateException("report service down");
              }
              done.add(job.payload());
            });
            String first = queue.enqueue(report, "q1");
            queue.enqueue(report, "q2");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> queue.stats().dead() == 2);

            BallastEndpoint endpoint = context.getBean(BallastEndpoint.class);
            Map<String, Object> all = (Map<String, Object>) endpoint.ballast().get("queues");
            assertThat((Map<String, Object>) all.get("reports")).containsEntry("dead", 2L).containsEntry("inFlight", 0L)
                .containsEntry("ready", 0L);
            Map<String, Object> one = endpoint.queue("reports");
            List<Map<String, Object>> letters = (List<Map<String, Object>>) one.get("deadLetters");
            assertThat(letters).extracting(l -> l.get("id")).contains(first);
            assertThat(letters.get(0)).containsEntry("type", "report").containsEntry("attempts", 1);
            assertThat((String) letters.get(0).get("lastError")).contains("report service down");

            fixed.set(true);
            Map<String, Object> requeued = endpoint.deadLetters("reports", "requeue", first);
            assertThat((List<String>) requeued.get("requeued")).containsExactly(first);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> done.contains("q1"));

            Map<String, Object> purged = endpoint.deadLetters("reports", "purge", null);
            assertThat(purged).containsEntry("purged", 1L);
            assertThat(queue.stats().dead()).isZero();
            assertThat(done).containsExactly("q1");

            assertThatThrownBy(() -> endpoint.deadLetters("reports", "requeue", "no-such-id"))
                .hasMessageContaining("no dead letter with id 'no-such-id'");
            assertThatThrownBy(() -> endpoint.deadLetters("reports", "delete", null))
                .isInstanceOf(InvalidEndpointRequestException.class) // HTTP 400, not 500
                .hasMessageContaining("unknown action 'delete'");
            assertThatThrownBy(() -> endpoint.queue("nope")).hasMessageContaining("no queue named 'nope'")
                .hasMessageContaining("[reports]");
          });
    } finally {
      client.shutdown();
    }
  }
}
