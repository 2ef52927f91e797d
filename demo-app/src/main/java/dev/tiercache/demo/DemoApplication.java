package dev.tiercache.demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Starts the demo. Every {@code tiercache.*}, {@code demo.*} and {@code server.port}
 * setting can be given on the command line, for example
 * {@code java -jar tiercache-demo.jar --server.port=8081 --demo.store.latency=200ms}.
 *
 * @author tiercache
 */
@SpringBootApplication
@EnableCaching
@ConfigurationPropertiesScan
@EnableScheduling
public class DemoApplication {

	static {
		// H2's automatic mixed mode (AUTO_SERVER=TRUE) lets the first node serve the
		// database file to the others over TCP; keep that server on the loopback
		// interface.
		if (System.getProperty("h2.bindAddress") == null) {
			System.setProperty("h2.bindAddress", "127.0.0.1");
		}
	}

	public static void main(String[] args) {
		SpringApplication.run(DemoApplication.class, args);
	}

}
