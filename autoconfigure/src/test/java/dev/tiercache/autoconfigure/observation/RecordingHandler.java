package dev.tiercache.autoconfigure.observation;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;

/**
 * Remembers every observation a real
 * {@link io.micrometer.observation.ObservationRegistry} starts and stops, as a tracing
 * handler would see them.
 */
final class RecordingHandler implements ObservationHandler<Observation.Context> {

	final List<Observation.Context> started = new CopyOnWriteArrayList<>();

	final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

	@Override
	public void onStart(Observation.Context context) {
		this.started.add(context);
	}

	@Override
	public void onStop(Observation.Context context) {
		this.stopped.add(context);
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return true;
	}

	Stream<Observation.Context> stopped(String name) {
		return this.stopped.stream().filter((context) -> context.getName().equals(name));
	}

	boolean hasStarted(String name) {
		return this.started.stream().anyMatch((context) -> context.getName().equals(name));
	}

	static String tag(Observation.Context context, String key) {
		return context.getLowCardinalityKeyValue(key).getValue();
	}

	static String parentName(Observation.Context context) {
		return context.getParentObservation().getContextView().getName();
	}

}
