package dev.tiercache.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives the dashboard ({@code GET /}) in headless Chromium against a running demo:
 * reads, updates and evicts a key from the page and sees where it is cached, runs the
 * load generator and sees the hit ratio rise, and saves a screenshot as
 * {@code target/dashboard.png}. Needs Debian's {@code chromium} and
 * {@code chromium-driver} ({@code .ci/run} installs them); elsewhere the test is skipped
 * with a message naming what is missing, unless {@code TIERCACHE_REQUIRE_BROWSER=true}
 * (set by {@code .ci/run}) makes that a failure.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "demo.store.latency=5ms", "tiercache.node-name=dashboard-node" })
class DemoDashboardBrowserTests {

	private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium"));

	private static final Path CHROMEDRIVER = Path
		.of(System.getenv().getOrDefault("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"));

	private static WebDriver browser;

	private static String missingBrowser;

	@LocalServerPort
	int port;

	@Autowired
	BookStore store;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		registry.add("demo.database.path", () -> TestDatabase.freshPath("dashboard"));
	}

	@BeforeAll
	static void startBrowser() throws IOException {
		List<String> missing = new ArrayList<>();
		if (!Files.isExecutable(CHROMIUM)) {
			missing.add("Chromium at " + CHROMIUM + " (set CHROMIUM_BIN)");
		}
		if (!Files.isExecutable(CHROMEDRIVER)) {
			missing.add("ChromeDriver at " + CHROMEDRIVER + " (set CHROMEDRIVER_BIN)");
		}
		if (!missing.isEmpty()) {
			missingBrowser = "The dashboard browser test needs " + String.join(" and ", missing)
					+ "; on Debian: sudo apt-get install -y chromium chromium-driver (.ci/run does)";
			return;
		}
		Path profile = Files.createTempDirectory("tiercache-chromium-");
		ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
			.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
					"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
					"--disable-sync", "--window-size=1400,1000", "--user-data-dir=" + profile);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		browser = new ChromeDriver(service, options);
	}

	/**
	 * Skip (or, under {@code .ci/run}, fail) each test with the message naming what is
	 * missing: in a test rather than in {@code @BeforeAll}, so that the report counts it
	 * as skipped instead of showing no test at all.
	 */
	@BeforeEach
	void requireBrowser() {
		if (missingBrowser != null) {
			if (Boolean.parseBoolean(System.getenv("TIERCACHE_REQUIRE_BROWSER"))) {
				Assertions.fail(missingBrowser);
			}
			Assumptions.abort(missingBrowser);
		}
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	@Test
	void dashboardShowsTheClusterAKeyAndTheLoadGeneratorAtWork() throws IOException {
		browser.get("http://127.0.0.1:" + this.port + "/");
		awaitText("mode", "local");
		awaitText("node", "dashboard-node");
		awaitTextContaining("members", "dashboard-node");
		awaitTextContaining("members", "100.0%");

		type("key", "7");
		click("read");
		awaitTextContaining("key-value", "\"title\":\"Book 7\"");
		awaitText("key-where", "main");
		awaitText("key-owner", "dashboard-node");
		awaitText("db-node", Long.toString(this.store.loads()));

		type("title", "Dune");
		click("update");
		awaitTextContaining("key-value", "\"title\":\"Dune\"");
		awaitText("key-where", "nowhere");
		click("read");
		awaitTextContaining("key-value", "\"title\":\"Dune\"");
		awaitText("key-where", "main");
		click("evict");
		awaitText("key-message", "evicted");
		awaitText("key-where", "nowhere");

		long databaseReadsBefore = this.store.clusterLoads();
		type("load-rate", "300");
		type("load-writes", "0");
		click("load-start");
		awaitTextContaining("load-status", "running: 300/s");
		// the hit ratio since start-up, in percent: it climbs as the hot keys get cached
		wait(Duration.ofSeconds(40)).until((driver) -> hitRatio() > 30);
		wait(Duration.ofSeconds(10))
			.until((driver) -> !element("chart").findElements(By.cssSelector("polyline[points*=' ']")).isEmpty());
		assertThat(this.store.clusterLoads()).isGreaterThan(databaseReadsBefore);
		wait(Duration.ofSeconds(10))
			.until((driver) -> Long.parseLong(text("db-cluster").replace(",", "")) > databaseReadsBefore);
		saveScreenshot();
		click("load-stop");
		awaitTextContaining("load-status", "stopped");

		click("clear");
		awaitText("key-message", "cleared the cache on every node");
		wait(Duration.ofSeconds(10)).until((driver) -> "0".equals(cacheCell("mainSize")));
	}

	private double hitRatio() {
		String ratio = cacheCell("hitRatio");
		return ratio.endsWith("%") ? Double.parseDouble(ratio.substring(0, ratio.length() - 1)) : 0;
	}

	private String cacheCell(String column) {
		List<WebElement> cells = browser.findElements(By.cssSelector("#cache-books ." + column));
		return cells.isEmpty() ? "" : cells.get(0).getText();
	}

	private void saveScreenshot() throws IOException {
		Path screenshot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath();
		Files.copy(screenshot, Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
	}

	private static WebElement element(String id) {
		return browser.findElement(By.id(id));
	}

	private static String text(String id) {
		return element(id).getText();
	}

	private static void type(String id, String text) {
		WebElement input = element(id);
		input.clear();
		input.sendKeys(text);
	}

	private static void click(String id) {
		element(id).click();
	}

	private static void awaitText(String id, String expected) {
		wait(Duration.ofSeconds(10)).withMessage(() -> "#" + id + " shows '" + text(id) + "', not '" + expected + "'")
			.until((driver) -> expected.equals(text(id)));
	}

	private static void awaitTextContaining(String id, String expected) {
		wait(Duration.ofSeconds(10))
			.withMessage(() -> "#" + id + " shows '" + text(id) + "', without '" + expected + "'")
			.until((driver) -> text(id).contains(expected));
	}

	private static WebDriverWait wait(Duration timeout) {
		// the dashboard re-renders its tables every second: an element found just before
		// a
		// re-render is stale when read, so such a read is retried, not failed
		WebDriverWait wait = new WebDriverWait(browser, timeout, Duration.ofMillis(100));
		wait.ignoring(StaleElementReferenceException.class);
		return wait;
	}

}
