package dev.tiercache.autoconfigure;

import java.util.List;

import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Reports a property under {@code tiercache} that names no setting (tiercache binds its
 * properties with {@code ignoreUnknownFields = false}, so a misspelt one fails the
 * start-up rather than being ignored) with the nearest valid name. It runs before Spring
 * Boot's own report of unbound properties, which names the property but suggests nothing,
 * and leaves other prefixes to it.
 *
 * @author tiercache
 */
class UnknownPropertyFailureAnalyzer extends AbstractFailureAnalyzer<UnboundConfigurationPropertiesException>
		implements Ordered {

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnboundConfigurationPropertiesException cause) {
		List<ConfigurationProperty> unknown = cause.getUnboundProperties()
			.stream()
			.filter((property) -> property.getName().toString().startsWith("tiercache."))
			.sorted()
			.toList();
		if (unknown.isEmpty()) {
			return null;
		}
		StringBuilder description = new StringBuilder(
				"These properties under 'tiercache' name no tiercache setting:\n");
		for (ConfigurationProperty property : unknown) {
			String name = property.getName().toString();
			description.append("\n    Property: ").append(name);
			description.append("\n    Value: \"").append(property.getValue()).append('"');
			if (property.getOrigin() != null) {
				description.append("\n    Origin: ").append(property.getOrigin());
			}
			String suggestion = PropertyNameSuggestions.suggest(name);
			if (suggestion != null) {
				description.append("\n    Did you mean: ").append(suggestion);
			}
			description.append('\n');
		}
		return new FailureAnalysis(description.toString(),
				"Correct or remove them; every tiercache setting is listed in its docs/configuration.md and in your "
						+ "IDE's completion of 'tiercache.'.",
				cause);
	}

}
