package dev.tiercache.autoconfigure;

/**
 * Thrown at start-up when {@code tiercache.mode} names a mode whose library is not on the
 * class path; {@link MissingModeLibraryFailureAnalyzer} turns it into Spring Boot's
 * description-and-action report.
 *
 * @author tiercache
 */
public class MissingModeLibraryException extends IllegalStateException {

	private final String mode;

	private final String library;

	private final String dependency;

	/**
	 * Create the exception.
	 * @param mode the chosen mode, as written in {@code tiercache.mode}
	 * @param library what the mode is built on, such as {@code JGroups}
	 * @param dependency the Maven coordinates to add, such as
	 * {@code org.jgroups:jgroups:5.5.7.Final}
	 */
	public MissingModeLibraryException(String mode, String library, String dependency) {
		super("tiercache.mode=" + mode + " needs " + library + " on the class path: add the dependency " + dependency
				+ ", or set tiercache.mode=local");
		this.mode = mode;
		this.library = library;
		this.dependency = dependency;
	}

	/**
	 * Return the chosen mode.
	 * @return the mode, such as {@code peers}
	 */
	public String getMode() {
		return this.mode;
	}

	/**
	 * Return what the mode is built on.
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
