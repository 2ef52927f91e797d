package dev.tiercache.autoconfigure;

import java.time.Duration;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code tiercache.stats.log-interval} is a positive duration.
 *
 * @author tiercache
 */
class OnStatsLogCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Duration interval = Binder.get(context.getEnvironment())
			.bind("tiercache.stats.log-interval", Duration.class)
			.orElse(Duration.ZERO);
		return (interval.isNegative() || interval.isZero())
				? ConditionOutcome.noMatch("tiercache.stats.log-interval is " + interval)
				: ConditionOutcome.match("tiercache.stats.log-interval is " + interval);
	}

}
