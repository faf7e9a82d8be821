package dev.hookyard.gateway.admin;

import dev.hookyard.common.operations.Operations;
import dev.hookyard.common.queue.QueueAdmin;
import dev.hookyard.common.webhook.GitHubSignature;
import dev.hookyard.gateway.http.AdminAuth;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;

/** The admin API over deliveries, jobs, queues, bulk operations, tracking, users and developer metrics. */
public final class AdminRoutes {

  private final Vertx vertx;
  private final Pool pool;
  private final GitHubSignature signature;

  public AdminRoutes(Vertx vertx, Pool pool, GitHubSignature signature) {
    this.vertx = vertx;
    this.pool = pool;
    this.signature = signature;
  }

  /** Mounts every admin route behind {@code auth}; request bodies are read by the caller's body handler. */
  public void mount(Router router, AdminAuth auth) {
    QueueAdmin queues = new QueueAdmin(pool);
    // Before the delivery routes: /api/v1/jobs/dead/retry is not the retry of a job called "dead".
    new OperationsApi(pool, new Operations(vertx, pool)).mount(router, auth);
    new DeliveryApi(vertx, pool, queues, signature).mount(router, auth);
    new QueueApi(vertx, queues).mount(router, auth);
    new RepositoryApi(pool).mount(router, auth);
    new WorkspaceApi(pool).mount(router, auth);
    new ProjectApi(pool).mount(router, auth);
    new UserApi(vertx, pool).mount(router, auth);
    new DeveloperMetricsApi(pool).mount(router, auth);
  }
}
