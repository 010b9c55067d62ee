package dev.ballast.queue;

import dev.ballast.queue.internal.DefaultJobQueue;

/** The {@link JobQueueContract} on the in-memory backend. */
class InMemoryJobQueueTest extends JobQueueContract {

  @Override
  JobQueue newQueue(QueueConfig config) {
    return JobQueue.inMemory(config);
  }

  @Override
  JobQueue sameBackend(JobQueue first, QueueConfig config) {
    return new DefaultJobQueue(config, ((DefaultJobQueue) first).store());
  }

  @Override
  int bigRunJobs() {
    return 100000;
  }
}
