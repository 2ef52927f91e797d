package dev.tiercache.remote.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A child JVM running {@link StaleReadNodeMain} for {@link PeersStaleReadProcessTests},
 * driven line by line on its standard input, and signalled with {@code kill}.
 */
public final class StaleReadProcess {

	private final String name;

	private final Process process;

	private final Path history;

	private final Writer commands;

	private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

	private StaleReadProcess(String name, Process process, Path history, Path output) throws IOException {
		this.name = name;
		this.process = process;
		this.history = history;
		this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
		PrintWriter log = new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8), true);
		Thread reader = new Thread(() -> {
			try (BufferedReader out = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = out.readLine()) != null) {
					if (line.startsWith("@@ ")) {
						this.answers.add(line.substring(3));
					}
					else {
						log.println(line);
					}
				}
			}
			catch (IOException ex) {
				// the process ended
			}
			finally {
				log.close();
			}
		});
		reader.setDaemon(true);
		reader.start();
	}

	/**
	 * Start {@link StaleReadNodeMain} with {@code arguments} and, last, its history file:
	 * {@code <scenario>-<name>.history} in {@code directory}, next to its log
	 * ({@code .log}, standard error) and its other output ({@code .out}).
	 */
	static StaleReadProcess start(Path directory, String scenario, String name, List<String> arguments)
			throws IOException {
		return start(directory, scenario, name, StaleReadNodeMain.class, arguments);
	}

	/**
	 * Start {@code main} with {@code arguments} and, last, its history file, as
	 * {@link #start(Path, String, String, List)} does.
	 */
	public static StaleReadProcess start(Path directory, String scenario, String name, Class<?> main,
			List<String> arguments) throws IOException {
		Path history = directory.resolve(scenario + "-" + name + ".history");
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
						"-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
		command.addAll(arguments);
		command.add(history.toString());
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.redirectError(directory.resolve(scenario + "-" + name + ".log").toFile());
		return new StaleReadProcess(name, builder.start(), history, directory.resolve(scenario + "-" + name + ".out"));
	}

	public String name() {
		return this.name;
	}

	public Path history() {
		return this.history;
	}

	public synchronized String ask(String command) {
		try {
			this.commands.write(command + "\n");
			this.commands.flush();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
			while (System.nanoTime() < deadline) {
				String answer = this.answers.poll(200, TimeUnit.MILLISECONDS);
				if (answer != null) {
					return answer;
				}
				if (!this.process.isAlive()) {
					throw new IllegalStateException(this.name + " exited with " + this.process.exitValue()
							+ " before answering '" + command + "'; see its log");
				}
			}
			throw new IllegalStateException(this.name + " did not answer '" + command + "'");
		}
		catch (IOException ex) {
			throw new IllegalStateException(this.name + " is gone", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * {@code kill -<signal> <pid>}.
	 */
	void signal(String signal) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(this.process.pid())).inheritIO().start();
		assertThat(kill.waitFor()).as("kill -%s %s", signal, this.name).isZero();
	}

	/**
	 * {@code kill -9}: no shutdown hook, no hand-off; a stopped process dies too.
	 */
	public void kill() {
		this.process.destroyForcibly();
		try {
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
