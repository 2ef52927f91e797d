package dev.tiercache.codec;

import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import org.jspecify.annotations.Nullable;

/**
 * Kryo's class resolution behind an {@link AllowList}. Kryo writes the name of every
 * class it has no registration for; a reader checks that name before it loads the class,
 * and a writer checks the class before it writes it, so a value that no node could read
 * fails the write, as Java serialization's writer does. Kryo's own registrations (the
 * JDK's primitives, wrappers and strings) are in {@code java.*} and always allowed.
 *
 * @author tiercache
 */
@SuppressWarnings("rawtypes")
final class AllowListClassResolver extends DefaultClassResolver {

	private final AllowList allowList;

	AllowListClassResolver(AllowList allowList) {
		this.allowList = allowList;
	}

	@Override
	public @Nullable Registration writeClass(Output output, @Nullable Class type) {
		if (type != null && !this.allowList.allows(type)) {
			throw new CodecException(this.allowList.writeRefusal(type.getName()));
		}
		return super.writeClass(output, type);
	}

	@Override
	protected @Nullable Class getTypeByName(String className) {
		if (!this.allowList.allows(className)) {
			throw new CodecException(this.allowList.refusal(className));
		}
		return super.getTypeByName(className);
	}

}
