package dev.tiercache.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the README's walkthrough, the {@code console} block after the
 * {@code <!-- walkthrough} marker, command by command with the real {@code curl} against
 * a freshly started demo (as the README starts it: {@code --tiercache.node-name=demo-1},
 * the default latency, a new database), and checks that each command prints what the
 * README says it prints. Output lines that follow a first one with a space are the same
 * output wrapped; {@code ...} stands for anything.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "tiercache.node-name=demo-1")
class ReadmeWalkthroughTests {

	private static final Path README = Path.of("..", "README.md");

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		registry.add("demo.database.path", () -> TestDatabase.freshPath("readme"));
	}

	@Test
	void walkthroughPrintsWhatTheReadmeShows() throws Exception {
		Assumptions.assumeTrue(curlIsInstalled(), "The README walkthrough test needs curl on the PATH");
		List<Step> steps = walkthrough();
		assertThat(steps).as("commands in the README walkthrough").hasSizeGreaterThan(10);
		for (Step step : steps) {
			String command = step.command().replace("localhost:8080", "localhost:" + this.port);
			String printed = run(command);
			assertThat(printed).as("README: $ %s", step.command()).matches(pattern(step.output()));
		}
	}

	static List<Step> walkthrough() throws IOException {
		List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
		int marker = indexOf(lines, "<!-- walkthrough", 0);
		int start = indexOf(lines, "```console", marker) + 1;
		List<Step> steps = new ArrayList<>();
		String command = null;
		StringBuilder output = new StringBuilder();
		for (String line : lines.subList(start, lines.size())) {
			if (line.startsWith("```")) {
				break;
			}
			if (line.startsWith("$ ")) {
				if (command != null) {
					steps.add(new Step(command, output.toString()));
				}
				command = line.substring(2);
				output.setLength(0);
			}
			else {
				output.append(line.startsWith(" ") ? line.strip() : ((output.isEmpty() ? "" : "\n") + line));
			}
		}
		if (command != null) {
			steps.add(new Step(command, output.toString()));
		}
		return steps;
	}

	private static int indexOf(List<String> lines, String prefix, int from) {
		for (int i = from; i < lines.size(); i++) {
			if (lines.get(i).startsWith(prefix)) {
				return i;
			}
		}
		throw new IllegalStateException("No line starting with '" + prefix + "' in " + README.toAbsolutePath());
	}

	/**
	 * The expected output as a regular expression: literal text, {@code ...} matching
	 * anything.
	 */
	private static String pattern(String expected) {
		List<String> parts = new ArrayList<>();
		for (String part : expected.split(Pattern.quote("..."), -1)) {
			parts.add(Pattern.quote(part));
		}
		return "(?s)" + String.join(".*", parts);
	}

	private static String run(String command) throws Exception {
		Process process = new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		byte[] printed = process.getInputStream().readAllBytes();
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
		assertThat(process.exitValue()).as("exit status of %s", command).isZero();
		return new String(printed, StandardCharsets.UTF_8).strip();
	}

	private static boolean curlIsInstalled() {
		try {
			return new ProcessBuilder("curl", "--version").start().waitFor() == 0;
		}
		catch (IOException | InterruptedException ex) {
			return false;
		}
	}

	record Step(String command, String output) {
	}

}
