package dev.tiercache.demo;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the demo's backing store.
 *
 * @param latency how long every read of the store takes, standing in for a database
 * @param size how many books the store is seeded with (ids 1 to size)
 * @author tiercache
 */
@ConfigurationProperties("demo.store")
public record BookStoreProperties(@DefaultValue("50ms") Duration latency, @DefaultValue("1000") int size) {
}
