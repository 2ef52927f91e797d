package dev.tiercache.autoconfigure;

/**
 * Thrown at start-up when a setting chooses something (a mode, a codec, compression)
 * whose library is not on the class path; {@link MissingLibraryFailureAnalyzer} turns it
 * into Spring Boot's description-and-action report.
 *
 * @author tiercache
 */
public class MissingLibraryException extends IllegalStateException {

	private final String property;

	private final String value;

	private final String library;

	private final String dependency;

	/**
	 * Create the exception.
	 * @param property the property that made the choice, such as {@code tiercache.mode}
	 * @param value its value, such as {@code peers}
	 * @param library what the choice is built on, such as {@code JGroups}
	 * @param dependency the Maven coordinates to add, such as
	 * {@code org.jgroups:jgroups:5.5.7.Final}
	 */
	public MissingLibraryException(String property, String value, String library, String dependency) {
		super(property + "=" + value + " needs " + library + " on the class path: add the dependency " + dependency
				+ ", or change " + property);
		this.property = property;
		this.value = value;
		this.library = library;
		this.dependency = dependency;
	}

	/**
	 * Return the property that made the choice.
	 * @return the property, such as {@code tiercache.mode}
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * Return the value of the property.
	 * @return the value, such as {@code peers}
	 */
	public String getValue() {
		return this.value;
	}

	/**
	 * Return what the choice is built on.
	 * @return the library's name, such as {@code JGroups}
	 */
	public String getLibrary() {
		return this.library;
	}

	/**
	 * Return the dependency that provides the library.
	 * @return Maven coordinates, such as {@code org.jgroups:jgroups:5.5.7.Final}
	 */
	public String getDependency() {
		return this.dependency;
	}

}
