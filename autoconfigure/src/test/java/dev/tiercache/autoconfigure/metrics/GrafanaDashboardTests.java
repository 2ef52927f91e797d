package dev.tiercache.autoconfigure.metrics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.tiercache.TierCacheManager;
import dev.tiercache.autoconfigure.TierCacheAutoConfiguration;
import dev.tiercache.observation.TierCacheObserver.Operation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard in docs/ queries only series that tiercache's meters (and the
 * timers Spring Boot makes of its observations) give in Prometheus' naming.
 */
class GrafanaDashboardTests {

	private static final Path DASHBOARD = Path.of("../docs/grafana-dashboard.json");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				TierCacheAutoConfiguration.class, CacheAutoConfiguration.class, TierCacheMetricsAutoConfiguration.class,
				CacheMetricsAutoConfiguration.class))
		.withUserConfiguration(CachingConfiguration.class)
		.withPropertyValues("tiercache.caches.books.maximum-weight=1MB");

	@Test
	void everySeriesTheDashboardQueriesExists() throws Exception {
		String dashboard = Files.readString(DASHBOARD);
		Set<String> queried = new TreeSet<>();
		Matcher matcher = Pattern.compile("\\b(?:tier)?cache_[a-z_]+").matcher(dashboard);
		while (matcher.find()) {
			queried.add(matcher.group());
		}
		assertThat(queried).contains("tiercache_rejected_total", "tiercache_remote_fetch_duration_seconds_sum",
				"tiercache_weight_bytes", "tiercache_lease_wait_seconds_max");
		this.contextRunner.run((context) -> {
			context.getBean(TierCacheManager.class).getCache("books").get(1L, () -> "Dune");
			Set<String> series = new TreeSet<>();
			for (Meter meter : context.getBean(MeterRegistry.class).getMeters()) {
				series.addAll(prometheusSeries(meter));
			}
			for (Operation operation : Operation.values()) {
				String name = operation.observationName().replace('.', '_') + "_seconds";
				series.addAll(Set.of(name + "_count", name + "_sum", name + "_max"));
			}
			assertThat(series).containsAll(queried);
		});
	}

	private static Set<String> prometheusSeries(Meter meter) {
		String name = meter.getId().getName().replace('.', '_');
		if (meter instanceof Counter || meter instanceof FunctionCounter) {
			return Set.of(name + "_total");
		}
		if (meter instanceof FunctionTimer) {
			return Set.of(name + "_seconds_count", name + "_seconds_sum");
		}
		if (meter instanceof Timer) {
			return Set.of(name + "_seconds_count", name + "_seconds_sum", name + "_seconds_max");
		}
		if (meter instanceof Gauge && "bytes".equals(meter.getId().getBaseUnit())) {
			return Set.of(name + "_bytes");
		}
		return Set.of(name);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

	}

}
