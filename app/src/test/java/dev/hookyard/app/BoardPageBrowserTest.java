package dev.hookyard.app;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.hookyard.app.BoardScenario.pullRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The board page in a real headless Chromium: a merge webhook moves a card to Done while it watches. */
class BoardPageBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  @DisplayName("/board/{ws} shows the columns and moves a card to Done when its PR's merge webhook arrives")
  void cardMovesOnMerge() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
      "Debian's chromium and chromium-driver are not installed (.ci/run installs them); skipping the browser test");
    try (BoardScenario board = BoardScenario.start(Map.of())) {
      String id = board.issue("Checkout button does nothing", "Seen on every browser", "In Progress");
      String token = TestHookyard.adminPost(board.client, "/api/v1/workspaces/acme/board-tokens", new JsonObject())
        .bodyAsJsonObject().getString("token");

      ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,900");
      ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
      ChromeDriver browser = new ChromeDriver(service, options);
      try {
        browser.get("http://127.0.0.1:" + board.env.get("HOOKYARD_HTTP_PORT") + "/board/acme?token=" + token);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#column-in-progress #card-" + id)));
        wait.until(ExpectedConditions.textToBe(By.id("state"), "live"));

        board.send(pullRequest("closed", 301, "Wire the checkout button", "Fixes " + id, "fix/checkout", "main", "closed", true,
          "2026-11-24T10:00:00Z"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#column-done #card-" + id)));
        assertThat(browser.findElements(By.cssSelector("#column-in-progress #card-" + id))).isEmpty();
        assertThat(browser.findElement(By.id("log")).getText()).contains(id).contains("issue.status_changed");

        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "board.png");
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(target)).isPositive();
      } finally {
        browser.quit();
      }
    }
  }
}
