package dev.tiercache.codec;

import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;

/**
 * Jackson's check of every class a JSON payload names as a type id, made from the same
 * {@link AllowList} as Java serialization's: a name outside it is refused before its
 * class is loaded. The refusal is a {@link CodecException} with the allow-list's message
 * rather than Jackson's generic "denied resolution".
 *
 * @author tiercache
 */
final class AllowListTypeValidator extends PolymorphicTypeValidator.Base {

	private static final long serialVersionUID = 1L;

	private final AllowList allowList;

	AllowListTypeValidator(AllowList allowList) {
		this.allowList = allowList;
	}

	@Override
	public Validity validateSubClassName(DatabindContext context, JavaType baseType, String subClassName) {
		if (!this.allowList.allows(subClassName)) {
			throw new CodecException(this.allowList.refusal(subClassName));
		}
		return Validity.ALLOWED;
	}

	@Override
	public Validity validateSubType(DatabindContext context, JavaType baseType, JavaType subType) {
		if (!this.allowList.allows(subType.getRawClass())) {
			throw new CodecException(this.allowList.refusal(subType.getRawClass().getName()));
		}
		return Validity.ALLOWED;
	}

}
