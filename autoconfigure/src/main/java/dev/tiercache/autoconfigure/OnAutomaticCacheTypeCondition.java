package dev.tiercache.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Matches when {@code spring.cache.type} is not set. Spring Boot's cache providers match
 * when the property is not set ("automatic cache type") or names their own type;
 * tiercache has no value of Boot's {@code CacheType} enum, so any value names one of
 * Boot's own providers and tiercache steps aside for it. {@code spring.cache.type=none},
 * which the test slice annotation {@code @AutoConfigureCache} sets, therefore gives
 * Boot's no-op cache manager, and a test context in peers mode joins no cluster.
 *
 * @author tiercache
 */
class OnAutomaticCacheTypeCondition extends SpringBootCondition {

	static final String PROPERTY = "spring.cache.type";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("tiercache cache type");
		String type = Binder.get(context.getEnvironment()).bind(PROPERTY, String.class).orElse("");
		if (!StringUtils.hasText(type)) {
			return ConditionOutcome.match(message.because(PROPERTY + " is not set (automatic cache type)"));
		}
		return ConditionOutcome.noMatch(message.because(PROPERTY + "=" + type + " chooses one of Spring Boot's own "
				+ "cache providers; remove it to use tiercache"));
	}

}
