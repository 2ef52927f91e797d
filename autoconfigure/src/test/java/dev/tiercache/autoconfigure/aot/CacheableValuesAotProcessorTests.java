package dev.tiercache.autoconfigure.aot;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The value types of the application's cached methods, registered for a native image.
 */
class CacheableValuesAotProcessorTests {

	@Test
	void valueTypesOfCachedMethodsAreRegisteredForBindingAndSerialization() {
		RuntimeHints hints = process(Library.class);
		for (Class<?> type : new Class<?>[] { Shelf.class, Volume.class, Author.class, Review.class }) {
			assertThat(RuntimeHintsPredicates.reflection().onType(type)).as(type.getSimpleName()).accepts(hints);
		}
		assertThat(RuntimeHintsPredicates.reflection()
			.onType(Shelf.class)
			.withMemberCategory(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS)).accepts(hints);
		for (Class<?> type : new Class<?>[] { Shelf.class, Volume.class, Author.class, Review.class, String.class,
				BigDecimal.class }) {
			assertThat(RuntimeHintsPredicates.serialization().onType(type)).as(type.getSimpleName()).accepts(hints);
		}
		assertThat(RuntimeHintsPredicates.reflection().onType(Uncached.class)).rejects(hints);
	}

	@Test
	void noContributionWithoutCachedMethods() {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("plain", new RootBeanDefinition(Uncached.class));
		assertThat(new CacheableValuesAotProcessor().processAheadOfTime(beanFactory)).isNull();
	}

	@Test
	void registeredInAotFactoriesAsSpringLoadsThem() {
		assertThat(SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
			.load(BeanFactoryInitializationAotProcessor.class))
			.hasAtLeastOneElementOfType(CacheableValuesAotProcessor.class);
	}

	private static RuntimeHints process(Class<?> bean) {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("bean", new RootBeanDefinition(bean));
		BeanFactoryInitializationAotContribution contribution = new CacheableValuesAotProcessor()
			.processAheadOfTime(beanFactory);
		assertThat(contribution).isNotNull();
		DefaultGenerationContext context = new DefaultGenerationContext(
				new ClassNameGenerator(ClassName.get("com.example", "Test")), new InMemoryGeneratedFiles());
		contribution.applyTo(context, null);
		return context.getRuntimeHints();
	}

	static class Library {

		@Cacheable("shelves")
		public Shelf shelf(long id) {
			return null;
		}

		@Cacheable("volumes")
		public CompletableFuture<List<Volume>> volumes(long shelf) {
			return null;
		}

		@CachePut("authors")
		public Optional<Author> author(long id) {
			return Optional.empty();
		}

		public Uncached notCached() {
			return null;
		}

	}

	record Shelf(String name, List<Review> reviews) implements Serializable {
	}

	record Volume(String title, BigDecimal price) implements Serializable {
	}

	record Author(String name) implements Serializable {
	}

	record Review(String text) implements Serializable {
	}

	record Uncached(String name) {
	}

}
