package dev.hookyard.common.github;

/**
 * Nothing to call GitHub with for a repository: no installation of the configured App
 * is known for it and no {@code HOOKYARD_GITHUB_TOKEN} is set.
 */
public final class NoGitHubCredentials extends RuntimeException {

  public NoGitHubCredentials(String message) {
    super(message, null, false, false);
  }
}
