package dev.hookyard.app;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
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

/**
 * The board page in a real headless Chromium against a whole hookyard: cards that show
 * their PRs and move as webhooks arrive, the detail view, a draft's column, what a
 * wrong token sees, and a 420 px wide window. Screenshots go to {@code target/}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BoardPageBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private static BoardScenario board;
  private static ChromeDriver browser;
  private static String token;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
      "Debian's chromium and chromium-driver are not installed (.ci/run installs them); skipping the browser tests");
    board = BoardScenario.start(Map.of());
    token = TestHookyard.adminPost(board.client, "/api/v1/workspaces/acme/board-tokens", new JsonObject())
      .bodyAsJsonObject().getString("token");
    base = "http://127.0.0.1:" + board.env.get("HOOKYARD_HTTP_PORT");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
      .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,900");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (board != null) {
      board.close();
    }
  }

  private static WebDriverWait waiting() {
    return new WebDriverWait(browser, Duration.ofSeconds(30));
  }

  private static void openBoard(String withToken) {
    browser.get(base + "/board/acme" + (withToken == null ? "" : "?token=" + withToken));
  }

  private static void openLive() {
    openBoard(token);
    waiting().until(ExpectedConditions.textToBe(By.id("state"), "live"));
  }

  private static String issue(String title, String priority, String status) throws Exception {
    JsonObject body = new JsonObject().put("title", title).put("priority", priority).put("description", "Seen by customers");
    if (status != null) {
      body.put("status", status);
    }
    HttpResponse<Buffer> created = TestHookyard.adminPost(board.client, "/api/v1/workspaces/acme/issues", body);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("identifier");
  }

  private static Path screenshot(String name) throws Exception {
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.size(target)).isPositive();
    return target;
  }

  @Test
  @DisplayName("A card shows its PR's link after 'opened', moves to Done with the PR merged after the merge; the live panel says it in words, also after a reload")
  void cardShowsPullRequestAndMovesOnMerge() throws Exception {
    browser.manage().window().setSize(new Dimension(1400, 900));
    String id = issue("Checkout button does nothing", "P0", "In Progress");
    issue("Dark mode forgets the choice", "P3", null);
    openLive();
    WebDriverWait wait = waiting();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#column-in-progress #card-" + id)));
    assertThat(browser.findElement(By.id("workspace-name")).getText()).isEqualTo("Acme");
    assertThat(browser.findElement(By.cssSelector("#card-" + id + " .tag.P0")).getText()).isEqualTo("P0 urgent");
    assertThat(browser.findElement(By.cssSelector("#column-needs-review .empty")).getText()).isEqualTo("No issues");

    board.send(pullRequest("opened", 301, "Wire the checkout button", "Fixes " + id, "fix/checkout", "main", "open", false,
      "2026-11-24T09:00:00Z"));
    WebElement link = wait.until(ExpectedConditions.presenceOfElementLocated(
      By.cssSelector("#column-in-review #card-" + id + " a.pr.open")));
    assertThat(link.getAttribute("href")).isEqualTo("https://github.test/acme/api/pull/301");
    assertThat(link.getText()).isEqualTo("#301 open");

    board.send(pullRequest("closed", 301, "Wire the checkout button", "Fixes " + id, "fix/checkout", "main", "closed", true,
      "2026-11-24T10:00:00Z"));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#column-done #card-" + id + " a.pr.merged")));
    assertThat(browser.findElements(By.cssSelector("#column-in-progress #card-" + id))).isEmpty();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("log"), id + " moved to Done: PR #301 merged"));
    screenshot("board.png");

    browser.navigate().refresh();
    wait.until(ExpectedConditions.textToBe(By.id("state"), "live"));
    assertThat(browser.findElement(By.id("log")).getText())
      .contains(id + " moved to Done: PR #301 merged").contains(id + " moved to In Review: PR #301 opened");
  }

  @Test
  @DisplayName("Clicking a card opens the issue: its history in words, its PRs and comments")
  void detailShowsHistory() throws Exception {
    browser.manage().window().setSize(new Dimension(1400, 900));
    String id = issue("Password reset mail never arrives", "P1", "Investigating");
    board.send(pullRequest("opened", 302, "Retry the mail queue", "Fixes " + id, "fix/mail", "main", "open", false,
      "2026-11-24T11:00:00Z"));
    TestHookyard.adminPost(board.client, "/api/v1/workspaces/acme/issues/" + id + "/comments",
      new JsonObject().put("body", "Reproduced on staging").put("author", "ada"));
    openLive();
    WebDriverWait wait = waiting();
    wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#column-in-review #card-" + id))).click();
    WebElement detail = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail")));
    wait.until(ExpectedConditions.textToBePresentInElement(detail, id + " created in Investigating"));
    String text = detail.getText();
    assertThat(text).contains("Password reset mail never arrives")
      .contains(id + " created in Investigating")
      .contains("PR #302 linked to " + id + ": it names the issue")
      .contains(id + " moved to In Review: PR #302 opened")
      .contains("Reproduced on staging");
    screenshot("board-detail.png");
    browser.findElement(By.id("detail-close")).click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("detail")));
  }

  @Test
  @DisplayName("A draft PR lands its issue in In Progress, its chip saying draft")
  void draftLandsInProgress() throws Exception {
    browser.manage().window().setSize(new Dimension(1400, 900));
    String id = issue("CSV import rejects semicolons", "P2", null);
    openLive();
    WebDriverWait wait = waiting();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#column-backlog #card-" + id)));
    JsonObject draft = pullRequest("opened", 303, "Accept semicolons", "Fixes " + id, "fix/csv", "main", "open", false,
      "2026-11-24T12:00:00Z");
    draft.getJsonObject("pull_request").put("draft", true);
    board.send(draft);
    WebElement chip = wait.until(ExpectedConditions.presenceOfElementLocated(
      By.cssSelector("#column-in-progress #card-" + id + " .pr.draft")));
    assertThat(chip.getText()).isEqualTo("#303 draft");
    assertThat(browser.findElements(By.cssSelector("#column-in-review #card-" + id))).isEmpty();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("log"),
      id + " moved to In Progress: PR #303 opened as a draft"));
  }

  @Test
  @DisplayName("A missing, wrong or other workspace's token shows what is wrong and how to get a board token, not a blank board")
  void wrongTokenShowsTheMessage() throws Exception {
    browser.manage().window().setSize(new Dimension(1400, 900));
    WebDriverWait wait = waiting();
    openBoard("hyb_wrong");
    WebElement panel = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("auth-error")));
    assertThat(panel.getText()).contains("This token is not valid").contains("/api/v1/workspaces/acme/board-tokens")
      .contains("/board/acme?token=");
    assertThat(browser.findElement(By.id("board")).isDisplayed()).isFalse();
    screenshot("board-wrong-token.png");

    openBoard(null);
    panel = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("auth-error")));
    wait.until(ExpectedConditions.textToBePresentInElement(panel, "This board needs a token"));

    TestHookyard.adminPost(board.client, "/api/v1/workspaces",
      new JsonObject().put("slug", "elsewhere").put("name", "Elsewhere").put("issue_prefix", "ELS"));
    String other = TestHookyard.adminPost(board.client, "/api/v1/workspaces/elsewhere/board-tokens", new JsonObject())
      .bodyAsJsonObject().getString("token");
    openBoard(other);
    panel = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("auth-error")));
    wait.until(ExpectedConditions.textToBePresentInElement(panel, "This token is for another workspace"));
    assertThat(panel.getText()).contains("belongs to workspace elsewhere, not acme");
  }

  @Test
  @DisplayName("At 420 px the page has no horizontal scroll: the columns scroll inside the board")
  void narrowWindow() throws Exception {
    issue("Mobile menu overlaps the logo", "P1", "In Review");
    browser.manage().window().setSize(new Dimension(420, 900));
    try {
      openLive();
      waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#column-done")));
      long viewport = (Long) browser.executeScript("return document.documentElement.clientWidth;");
      long page = (Long) browser.executeScript("return document.documentElement.scrollWidth;");
      long bodyWidth = (Long) browser.executeScript("return document.body.scrollWidth;");
      assertThat(page).as("page scroll width at a %d px viewport", viewport).isLessThanOrEqualTo(viewport);
      assertThat(bodyWidth).isLessThanOrEqualTo(viewport);
      Long inner = (Long) browser.executeScript("var m = document.getElementById('board'); return m.scrollWidth - m.clientWidth;");
      assertThat(inner).as("the board scrolls its columns sideways").isPositive();
      screenshot("board-420.png");
    } finally {
      browser.manage().window().setSize(new Dimension(1400, 900));
    }
  }
}
