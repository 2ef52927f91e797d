package dev.tiercache.demo;

import dev.tiercache.demo.LoadGenerator.LoadSettings;
import dev.tiercache.demo.LoadGenerator.LoadStatus;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The load generator's HTTP API, used by the dashboard: {@code GET /api/load} shows it,
 * {@code POST /api/load} starts it with {@code {"rate":200,"writeShare":0.01,"keys":1000,
 * "skew":1.0}}, {@code DELETE /api/load} stops it.
 *
 * @author tiercache
 */
@RestController
public class LoadController {

	private final LoadGenerator generator;

	public LoadController(LoadGenerator generator) {
		this.generator = generator;
	}

	@GetMapping("/api/load")
	public LoadStatus status() {
		return this.generator.status();
	}

	@PostMapping("/api/load")
	public LoadStatus start(@RequestBody LoadSettings settings) {
		this.generator.start(settings);
		return this.generator.status();
	}

	@DeleteMapping("/api/load")
	public LoadStatus stop() {
		this.generator.stop();
		return this.generator.status();
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ResponseEntity<String> invalid(IllegalArgumentException ex) {
		return ResponseEntity.badRequest().body(ex.getMessage());
	}

}
