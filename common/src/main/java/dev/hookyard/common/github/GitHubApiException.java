package dev.hookyard.common.github;

/** GitHub answered a call with a status other than 2xx (and not a rate limit). */
public class GitHubApiException extends RuntimeException {

  private final int status;

  public GitHubApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public boolean notFound() {
    return status == 404;
  }
}
