package dev.tiercache.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link MissingLibraryException} as Spring Boot reports a failed start-up:
 * what is missing, and the dependency to add.
 *
 * @author tiercache
 */
class MissingLibraryFailureAnalyzer extends AbstractFailureAnalyzer<MissingLibraryException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MissingLibraryException cause) {
		String description = cause.getProperty() + " is '" + cause.getValue() + "', which is built on "
				+ cause.getLibrary() + ", but " + cause.getLibrary() + " is not on the class path.";
		String action = "Add the dependency " + cause.getDependency() + " to your build, or change "
				+ cause.getProperty()
				+ ("tiercache.mode".equals(cause.getProperty()) ? " (local needs nothing besides the starter)." : ".");
		return new FailureAnalysis(description, action, cause);
	}

}
