package dev.tiercache.autoconfigure.aot;

import java.io.Serializable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.TypeReference;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Registers the value types of the application's {@code @Cacheable} and {@code @CachePut}
 * methods for reflection (as {@code @RegisterReflectionForBinding} does: their
 * constructors, fields, accessors and nested types, which the JSON and Kryo codecs and
 * the weight estimate use) and, when serializable, for Java serialization, with the types
 * of their fields: in a native image a remote tier can only read back what was
 * registered. A method's value type is its return type, unwrapped from {@code Optional},
 * {@code CompletableFuture} and Reactor types, and from collections and maps, whose
 * element types are registered too.
 *
 * @author tiercache
 */
class CacheableValuesAotProcessor implements BeanFactoryInitializationAotProcessor {

	private static final Set<String> WRAPPERS = Set.of("reactor.core.publisher.Mono", "reactor.core.publisher.Flux");

	@Override
	public @Nullable BeanFactoryInitializationAotContribution processAheadOfTime(
			ConfigurableListableBeanFactory beanFactory) {
		Set<Class<?>> values = new LinkedHashSet<>();
		for (String name : beanFactory.getBeanDefinitionNames()) {
			Class<?> type = beanFactory.getType(name, false);
			if (type != null) {
				ReflectionUtils.doWithMethods(ClassUtils.getUserClass(type),
						(method) -> values.addAll(valueTypes(method)), CacheableValuesAotProcessor::isCached);
			}
		}
		if (values.isEmpty()) {
			return null;
		}
		return (generationContext, code) -> register(generationContext.getRuntimeHints(), values);
	}

	static void register(RuntimeHints hints, Set<Class<?>> values) {
		BindingReflectionHintsRegistrar binding = new BindingReflectionHintsRegistrar();
		Set<Class<?>> seen = new LinkedHashSet<>();
		for (Class<?> value : values) {
			binding.registerReflectionHints(hints.reflection(), value);
			registerSerialization(hints, value, seen);
		}
	}

	private static boolean isCached(Method method) {
		return AnnotatedElementUtils.hasAnnotation(method, Cacheable.class)
				|| AnnotatedElementUtils.hasAnnotation(method, CachePut.class);
	}

	static Set<Class<?>> valueTypes(Method method) {
		Set<Class<?>> types = new LinkedHashSet<>();
		collect(ResolvableType.forMethodReturnType(method), types);
		return types;
	}

	private static void collect(ResolvableType type, Set<Class<?>> types) {
		Class<?> raw = type.resolve();
		if (raw == null || raw.isPrimitive() || raw == Void.class || raw == Object.class) {
			return;
		}
		if (raw == Optional.class || Future.class.isAssignableFrom(raw) || CompletionStage.class.isAssignableFrom(raw)
				|| WRAPPERS.contains(raw.getName())) {
			collect(type.getGeneric(0), types);
			return;
		}
		if (Collection.class.isAssignableFrom(raw)) {
			collect(type.asCollection().getGeneric(0), types);
			return;
		}
		if (Map.class.isAssignableFrom(raw)) {
			collect(type.asMap().getGeneric(0), types);
			collect(type.asMap().getGeneric(1), types);
			return;
		}
		if (raw.isArray()) {
			collect(type.getComponentType(), types);
		}
		types.add(raw);
	}

	private static void registerSerialization(RuntimeHints hints, Class<?> type, Set<Class<?>> seen) {
		if (type.isPrimitive() || !seen.add(type)) {
			return;
		}
		if (type.isArray()) {
			registerSerialization(hints, type.getComponentType(), seen);
		}
		if (!Serializable.class.isAssignableFrom(type)) {
			return;
		}
		hints.serialization().registerType(TypeReference.of(type));
		for (Class<?> current = type; current != null && current != Object.class; current = current.getSuperclass()) {
			for (Field field : current.getDeclaredFields()) {
				if (!Modifier.isStatic(field.getModifiers()) && !Modifier.isTransient(field.getModifiers())) {
					Set<Class<?>> fieldTypes = new LinkedHashSet<>();
					collect(ResolvableType.forField(field), fieldTypes);
					fieldTypes.add(field.getType());
					fieldTypes.forEach((fieldType) -> registerSerialization(hints, fieldType, seen));
				}
			}
		}
	}

}
