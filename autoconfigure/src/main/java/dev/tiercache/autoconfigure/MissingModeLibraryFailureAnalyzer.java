package dev.tiercache.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link MissingModeLibraryException} as Spring Boot reports a failed start-up:
 * what is missing, and the dependency to add.
 *
 * @author tiercache
 */
class MissingModeLibraryFailureAnalyzer extends AbstractFailureAnalyzer<MissingModeLibraryException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MissingModeLibraryException cause) {
		String description = "tiercache.mode is '" + cause.getMode() + "', which is built on " + cause.getLibrary()
				+ ", but " + cause.getLibrary() + " is not on the class path.";
		String action = "Add the dependency " + cause.getDependency() + " to your build, or choose another "
				+ "tiercache.mode (local needs nothing besides the starter).";
		return new FailureAnalysis(description, action, cause);
	}

}
