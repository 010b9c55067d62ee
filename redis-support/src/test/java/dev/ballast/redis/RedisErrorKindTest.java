package dev.ballast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisReadOnlyException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one classification of Redis failures, over Lettuce's exception types and Redis's error replies. */
class RedisErrorKindTest {

  private static RedisErrorKind reply(String message) {
    return RedisErrorKind.classify(new RedisCommandExecutionException(message));
  }

  @Test
  void exactlyConnectionTimeoutUnavailableAndAuthenticationAreOutages() {
    Set<RedisErrorKind> outages = Arrays.stream(RedisErrorKind.values()).filter(RedisErrorKind::isOutage)
        .collect(Collectors.toSet());
    assertThat(outages).containsExactlyInAnyOrder(RedisErrorKind.CONNECTION, RedisErrorKind.TIMEOUT,
        RedisErrorKind.UNAVAILABLE, RedisErrorKind.AUTHENTICATION);
  }

  @Test
  void tagsAreDistinctShortAndLowerCase() {
    Set<String> tags = Arrays.stream(RedisErrorKind.values()).map(RedisErrorKind::tag).collect(Collectors.toSet());
    assertThat(tags).hasSize(RedisErrorKind.values().length)
        .containsExactlyInAnyOrder("connection", "timeout", "unavailable", "auth", "wrongtype", "script",
            "crossslot", "noperm", "oom", "reply", "client", "interrupted");
  }

  @Test
  void connectionFailuresAreConnectionOutages() {
    assertThat(RedisErrorKind.classify(new RedisConnectionException("Unable to connect to 127.0.0.1:6379",
        new ConnectException("Connection refused")))).isEqualTo(RedisErrorKind.CONNECTION);
    assertThat(RedisErrorKind.classify(new RedisException("Connection closed"))).isEqualTo(RedisErrorKind.CONNECTION);
    assertThat(RedisErrorKind.classify(new RedisException("Currently not connected. Commands are rejected.")))
        .isEqualTo(RedisErrorKind.CONNECTION);
    assertThat(RedisErrorKind.classify(new RedisException(new IOException("Connection reset by peer"))))
        .isEqualTo(RedisErrorKind.CONNECTION);
    assertThat(RedisErrorKind.classify(new ClosedChannelException())).isEqualTo(RedisErrorKind.CONNECTION);
    assertThat(RedisErrorKind.classify(new UncheckedIOException(new IOException("broken pipe"))))
        .isEqualTo(RedisErrorKind.CONNECTION);
  }

  @Test
  void timeoutsAreTimeoutOutages() {
    assertThat(RedisErrorKind.classify(new RedisCommandTimeoutException("Command timed out after 1 second(s)")))
        .isEqualTo(RedisErrorKind.TIMEOUT);
    assertThat(RedisErrorKind.classify(new TimeoutException())).isEqualTo(RedisErrorKind.TIMEOUT);
  }

  @Test
  void repliesSayingRedisCannotServeNowAreUnavailable() {
    assertThat(RedisErrorKind.classify(new RedisLoadingException("LOADING Redis is loading the dataset in memory")))
        .isEqualTo(RedisErrorKind.UNAVAILABLE);
    assertThat(RedisErrorKind.classify(new RedisBusyException("BUSY Redis is busy running a script.")))
        .isEqualTo(RedisErrorKind.UNAVAILABLE);
    assertThat(RedisErrorKind.classify(new RedisReadOnlyException("READONLY You can't write against a read only replica.")))
        .isEqualTo(RedisErrorKind.UNAVAILABLE);
    for (String message : new String[] {"MASTERDOWN Link with MASTER is down", "TRYAGAIN Multiple keys request",
        "CLUSTERDOWN The cluster is down", "NOREPLICAS Not enough good replicas to write.",
        "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk."}) {
      assertThat(reply(message)).as(message).isEqualTo(RedisErrorKind.UNAVAILABLE);
    }
    assertThat(RedisErrorKind.classify(new CancellationException())).as("a command cancelled under a dropped connection")
        .isEqualTo(RedisErrorKind.UNAVAILABLE);
  }

  @Test
  void authenticationFailuresAreAuthenticationOutagesAlsoWhenTheyFailTheConnection() {
    assertThat(reply("NOAUTH Authentication required.")).isEqualTo(RedisErrorKind.AUTHENTICATION);
    assertThat(reply("WRONGPASS invalid username-password pair or user is disabled."))
        .isEqualTo(RedisErrorKind.AUTHENTICATION);
    assertThat(reply("ERR invalid password")).isEqualTo(RedisErrorKind.AUTHENTICATION);
    assertThat(reply("ERR AUTH <password> called without any password configured for the default user."))
        .isEqualTo(RedisErrorKind.AUTHENTICATION);
    assertThat(RedisErrorKind.classify(new RedisConnectionException("Unable to connect to localhost:6379",
        new RedisCommandExecutionException("WRONGPASS invalid username-password pair"))))
        .isEqualTo(RedisErrorKind.AUTHENTICATION);
  }

  @Test
  void aDataErrorReplyThatFailedTheConnectionIsAConnectionOutage() {
    assertThat(RedisErrorKind.classify(new RedisConnectionException("Unable to connect",
        new RedisCommandExecutionException("NOPERM this user has no permissions to run the 'hello' command"))))
        .isEqualTo(RedisErrorKind.CONNECTION);
  }

  @Test
  void errorsAboutOneKeyOrValueAreDataErrors() {
    assertThat(reply("WRONGTYPE Operation against a key holding the wrong kind of value"))
        .isEqualTo(RedisErrorKind.WRONG_TYPE);
    assertThat(reply("CROSSSLOT Keys in request don't hash to the same slot")).isEqualTo(RedisErrorKind.CROSS_SLOT);
    assertThat(reply("NOPERM this user has no permissions to access one of the keys used as arguments"))
        .isEqualTo(RedisErrorKind.NO_PERMISSION);
    assertThat(reply("OOM command not allowed when used memory > 'maxmemory'."))
        .isEqualTo(RedisErrorKind.OUT_OF_MEMORY);
    assertThat(reply("ERR value is not an integer or out of range")).isEqualTo(RedisErrorKind.REPLY);
    assertThat(reply("bad job data")).as("a script's own error_reply").isEqualTo(RedisErrorKind.REPLY);
    assertThat(reply("")).isEqualTo(RedisErrorKind.REPLY);
    assertThat(reply(null)).isEqualTo(RedisErrorKind.REPLY);
  }

  @Test
  void luaRuntimeErrorsAreScriptErrorsOnRedis6And7() {
    // Redis 6.2
    assertThat(reply("ERR Error running script (call to f_7b7c35d3ec7b9589924b80973bfe6179d8ea9589): "
        + "@user_script:1: @user_script: 1: Unknown Redis command called from Lua script"))
        .isEqualTo(RedisErrorKind.SCRIPT);
    assertThat(reply("ERR Error running script (call to f_af36): @user_script:1: user_script:1: attempt to "
        + "perform arithmetic on a string value")).isEqualTo(RedisErrorKind.SCRIPT);
    // Redis 7
    assertThat(reply("ERR user_script:1: attempt to perform arithmetic on a string value script: af36, on "
        + "@user_script:1.")).isEqualTo(RedisErrorKind.SCRIPT);
    assertThat(reply("ERR Unknown Redis command called from script script: 7b7c, on @user_script:1."))
        .isEqualTo(RedisErrorKind.SCRIPT);
    assertThat(RedisErrorKind.classify(new RedisNoScriptException("NOSCRIPT No matching script.")))
        .isEqualTo(RedisErrorKind.SCRIPT);
  }

  @Test
  void aScriptErrorNamingTheCalledCommandsErrorTakesThatKind() {
    assertThat(reply("ERR Error running script (call to f_1): @user_script:1: WRONGTYPE Operation against a key "
        + "holding the wrong kind of value")).isEqualTo(RedisErrorKind.WRONG_TYPE);
    assertThat(reply("WRONGTYPE Operation against a key holding the wrong kind of value script: 1, on "
        + "@user_script:1.")).as("Redis 7").isEqualTo(RedisErrorKind.WRONG_TYPE);
    assertThat(reply("ERR Error running script (call to f_1): @user_script:2: -OOM command not allowed when used "
        + "memory > 'maxmemory'.")).isEqualTo(RedisErrorKind.OUT_OF_MEMORY);
    // Redis 6.2, a refusal raised inside redis.call before the command ran (the OOM form checked on a real
    // server in RedisGuardOutOfMemoryTest): a replica that was a master is unavailable, not a data error.
    assertThat(reply("ERR Error running script (call to f_1): @user_script:1: @user_script: 1: -READONLY You "
        + "can't write against a read only replica.")).isEqualTo(RedisErrorKind.UNAVAILABLE);
    assertThat(reply("ERR Error running script (call to f_1): @user_script:1: @user_script: 1: -MISCONF Errors "
        + "writing to the AOF file: No space left on device")).isEqualTo(RedisErrorKind.UNAVAILABLE);
  }

  @Test
  void interruptsAreNeverRedisFailures() {
    assertThat(RedisErrorKind.classify(new RedisCommandInterruptedException(new InterruptedException())))
        .isEqualTo(RedisErrorKind.INTERRUPTED);
    assertThat(RedisErrorKind.classify(new InterruptedException())).isEqualTo(RedisErrorKind.INTERRUPTED);
    assertThat(RedisErrorKind.classify(new RedisException(new ClosedByInterruptException())))
        .as("before the IOException it also is").isEqualTo(RedisErrorKind.INTERRUPTED);
    assertThat(RedisErrorKind.classify(new RedisCommandTimeoutException(new InterruptedException())))
        .as("an interrupt anywhere in the chain wins").isEqualTo(RedisErrorKind.INTERRUPTED);
  }

  @Test
  void nonRedisExceptionsAreTheClientsOwn() {
    assertThat(RedisErrorKind.classify(new IllegalArgumentException("bad codec input"))).isEqualTo(RedisErrorKind.CLIENT);
    assertThat(RedisErrorKind.classify(new NullPointerException())).isEqualTo(RedisErrorKind.CLIENT);
    assertThat(RedisErrorKind.classify(new RedisException(new Exception("a codec's checked exception"))))
        .as("Lettuce wraps a checked exception in a bare RedisException").isEqualTo(RedisErrorKind.CLIENT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"blip", "Unexpected state"})
  void anUnknownLettuceFailureCountsAsAnOutage(String message) {
    assertThat(RedisErrorKind.classify(new RedisException(message))).isEqualTo(RedisErrorKind.UNAVAILABLE);
  }

  @Test
  void nullIsRejectedByName() {
    assertThatNullPointerException().isThrownBy(() -> RedisErrorKind.classify(null)).withMessageContaining("error");
  }

  @Test
  void aCycleInTheCauseChainEnds() {
    Exception a = new Exception("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(RedisErrorKind.classify(b)).isEqualTo(RedisErrorKind.CLIENT);
  }

  @Provide
  Arbitrary<Throwable> failures() {
    return Arbitraries.of(
        new RedisCommandExecutionException("WRONGTYPE Operation against a key holding the wrong kind of value"),
        new RedisCommandExecutionException("NOPERM no permissions"),
        new RedisLoadingException("LOADING Redis is loading"),
        new RedisCommandTimeoutException("timed out"),
        new RedisConnectionException("Unable to connect"),
        new RedisCommandInterruptedException(new InterruptedException()),
        new IllegalStateException("client bug"),
        new RedisException("blip"));
  }

  @Property(tries = 200)
  void wrappingInCompletionOrExecutionExceptionsDoesNotChangeTheKind(@ForAll("failures") Throwable failure,
      @ForAll("layers") java.util.List<Boolean> layers) {
    Throwable wrapped = failure;
    for (boolean completion : layers) {
      wrapped = completion ? new CompletionException(wrapped) : new ExecutionException(wrapped);
    }
    assertThat(RedisErrorKind.classify(wrapped)).isEqualTo(RedisErrorKind.classify(failure));
  }

  @Provide
  Arbitrary<java.util.List<Boolean>> layers() {
    return Arbitraries.of(true, false).list().ofMaxSize(4);
  }
}
