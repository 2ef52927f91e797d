package dev.tiercache.autoconfigure;

import dev.tiercache.flight.SingleFlightCacheOperationSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.cache.annotation.ProxyCachingConfiguration;

/**
 * Replaces the {@code CacheOperationSource} that {@code @EnableCaching} registers with a
 * {@link SingleFlightCacheOperationSource} ({@code tiercache.single-flight=always}). It
 * swaps the bean definition before any bean exists, so the cache advisor and interceptor
 * are created with the replacement and nothing is proxied or wrapped at run time.
 *
 * @author tiercache
 */
final class SingleFlightOperationSourcePostProcessor implements BeanFactoryPostProcessor {

	static final String OPERATION_SOURCE_BEAN_NAME = "cacheOperationSource";

	private static final Log logger = LogFactory.getLog(SingleFlightOperationSourcePostProcessor.class);

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		if (!(beanFactory instanceof BeanDefinitionRegistry registry)
				|| !registry.containsBeanDefinition(OPERATION_SOURCE_BEAN_NAME)) {
			logger.warn("tiercache.single-flight=always has no effect: no '" + OPERATION_SOURCE_BEAN_NAME
					+ "' bean from @EnableCaching was found");
			return;
		}
		BeanDefinition existing = registry.getBeanDefinition(OPERATION_SOURCE_BEAN_NAME);
		if (!ProxyCachingConfiguration.class.getName().equals(existing.getFactoryBeanName())) {
			logger.warn("tiercache.single-flight=always has no effect: the application defines its own '"
					+ OPERATION_SOURCE_BEAN_NAME + "' bean; extend " + SingleFlightCacheOperationSource.class.getName()
					+ " in it instead");
			return;
		}
		RootBeanDefinition replacement = new RootBeanDefinition(SingleFlightCacheOperationSource.class);
		replacement.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
		registry.removeBeanDefinition(OPERATION_SOURCE_BEAN_NAME);
		registry.registerBeanDefinition(OPERATION_SOURCE_BEAN_NAME, replacement);
	}

}
