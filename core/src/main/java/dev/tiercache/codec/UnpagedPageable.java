package dev.tiercache.codec;

import java.io.Serial;
import java.io.Serializable;

import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Sort;

/**
 * Stands for Spring Data's {@code Pageable.unpaged(sort)} in a payload: its class,
 * {@code Unpaged}, is not serializable, yet it is the {@code Pageable} of every
 * {@code new PageImpl<>(content)} and of {@code Page.empty()}. The writer replaces it
 * with this, and the reader turns this back into {@code Pageable.unpaged(sort)}.
 *
 * <p>
 * Spring Data is an optional dependency: this class is loaded only when a value holds an
 * {@code Unpaged} or a payload names it, and it keeps the sort as an {@code Object} so
 * that a reader without Spring Data fails on the payload, not on this class.
 *
 * @author tiercache
 */
final class UnpagedPageable implements Serializable {

	@Serial
	private static final long serialVersionUID = 1L;

	/** The name of this class, which the allow-list holds without loading it. */
	static final String NAME = "dev.tiercache.codec.UnpagedPageable";

	/** Spring Data's class, recognised by name. */
	static final String UNPAGED = "org.springframework.data.domain.Unpaged";

	private final Object sort;

	private UnpagedPageable(Object sort) {
		this.sort = sort;
	}

	/**
	 * Return what to write for {@code unpaged}.
	 * @param unpaged an instance of {@value #UNPAGED}
	 * @return its replacement
	 */
	static UnpagedPageable of(Object unpaged) {
		return new UnpagedPageable(((Pageable) unpaged).getSort());
	}

	@Serial
	private Object readResolve() {
		return Pageable.unpaged((Sort) this.sort);
	}

}
