package dev.tiercache.autoconfigure;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import dev.tiercache.TierCacheConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated configuration metadata is what users see in their IDE: every property
 * must have a description and a default, and the documented defaults must be the ones the
 * code applies.
 */
class ConfigurationMetadataTests {

	@Test
	void everyPropertyHasADescriptionAndADefault() throws Exception {
		List<Map<String, Object>> properties = properties();
		assertThat(properties).isNotEmpty();
		assertThat(properties).allSatisfy((property) -> {
			assertThat(property.get("description")).as("description of %s", property.get("name")).isNotNull();
			boolean collection = ((String) property.get("type")).startsWith("java.util.");
			if (!collection) {
				// Lists and maps are empty by default, which metadata cannot record.
				assertThat(property).as("default of %s", property.get("name")).containsKey("defaultValue");
			}
		});
	}

	@Test
	void documentedDefaultsBindToTheCoreDefaults() throws Exception {
		MapConfigurationPropertySource source = new MapConfigurationPropertySource();
		for (Map<String, Object> property : properties()) {
			String name = (String) property.get("name");
			if (name.startsWith("tiercache.defaults.")) {
				source.put(name, String.valueOf(property.get("defaultValue")));
			}
		}
		TierCacheProperties bound = new Binder(source).bind("tiercache", TierCacheProperties.class).get();
		assertThat(bound.defaultConfiguration()).isEqualTo(TierCacheConfiguration.defaultCacheConfig());
	}

	private static List<Map<String, Object>> properties() throws Exception {
		try (InputStream json = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			List<Map<String, Object>> properties = JsonPath.read(json, "$.properties[?(@.name =~ /tiercache\\..*/)]");
			return new ArrayList<>(properties);
		}
	}

}
