package dev.tiercache.demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.cache.annotation.EnableCaching;

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
public class DemoApplication {

	public static void main(String[] args) {
		SpringApplication.run(DemoApplication.class, args);
	}

}
