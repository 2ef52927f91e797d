package dev.tiercache.codec;

import java.util.Collection;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.DefaultTyping;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.jsontype.NamedType;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;
import tools.jackson.databind.jsontype.TypeIdResolver;
import tools.jackson.databind.jsontype.impl.ClassNameIdResolver;
import tools.jackson.databind.jsontype.impl.DefaultTypeResolverBuilder;

/**
 * Default typing for the JSON codec: every value whose declared type is not final (an
 * {@code Object}, a collection's elements, an interface) carries its class name, which
 * the reader checks with {@link AllowListTypeValidator}. The writer checks the same names
 * against the same allow-list, so a value that no node could read fails the write, as
 * Java serialization's writer does.
 *
 * @author tiercache
 */
final class AllowListTypeResolverBuilder extends DefaultTypeResolverBuilder {

	private static final long serialVersionUID = 1L;

	private final AllowList allowList;

	AllowListTypeResolverBuilder(AllowList allowList) {
		super(new AllowListTypeValidator(allowList), DefaultTyping.NON_FINAL, JsonTypeInfo.As.PROPERTY,
				JsonTypeInfo.Id.CLASS, "@class");
		this.allowList = allowList;
	}

	@Override
	protected TypeIdResolver idResolver(DatabindContext context, JavaType baseType,
			PolymorphicTypeValidator subtypeValidator, Collection<NamedType> subtypes, boolean forSerialization,
			boolean forDeserialization) {
		return new CheckedClassNameIdResolver(baseType, subtypes, subtypeValidator, this.allowList);
	}

	/**
	 * Class names as type ids, refusing on write a class that readers refuse.
	 */
	static final class CheckedClassNameIdResolver extends ClassNameIdResolver {

		private static final long serialVersionUID = 1L;

		private final AllowList allowList;

		CheckedClassNameIdResolver(JavaType baseType, Collection<NamedType> subtypes,
				PolymorphicTypeValidator validator, AllowList allowList) {
			super(baseType, subtypes, validator);
			this.allowList = allowList;
		}

		@Override
		public String idFromValue(DatabindContext context, Object value) {
			return check(super.idFromValue(context, value), value.getClass());
		}

		@Override
		public String idFromValueAndType(DatabindContext context, Object value, Class<?> type) {
			return check(super.idFromValueAndType(context, value, type), type);
		}

		private String check(String id, Class<?> type) {
			if (!this.allowList.allows(type) || !this.allowList.allows(id)) {
				throw new CodecException(this.allowList.writeRefusal(type.getName()));
			}
			return id;
		}

	}

}
