package dev.tiercache.demo;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import dev.tiercache.autoconfigure.TierCacheNode;
import jakarta.annotation.PreDestroy;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Counts reads of the book table in the database itself, one row per node process in
 * {@code store_node}, so that every node can tell this node's reads and the cluster's
 * total. The row doubles as a heartbeat: a node is live while it updates
 * {@code last_seen} (every second); {@link BookDatabaseInitializer} resets the database
 * only when no node is.
 *
 * @author tiercache
 */
@Component
public class StoreReads {

	/** A node not seen for this long is taken for gone. */
	static final Duration LIVENESS = Duration.ofSeconds(10);

	private final String id = UUID.randomUUID().toString();

	private final JdbcClient jdbc;

	private final TierCacheNode node;

	private final Clock clock;

	StoreReads(JdbcClient jdbc, TierCacheNode node) {
		this.jdbc = jdbc;
		this.node = node;
		this.clock = Clock.systemUTC();
	}

	/**
	 * Add this node's row; called by {@link BookDatabaseInitializer} inside its
	 * transaction.
	 */
	void register() {
		this.jdbc.sql("INSERT INTO store_node (id, name, book_reads, last_seen) VALUES (?, ?, 0, ?)")
			.params(this.id, this.node.name(), this.clock.millis())
			.update();
	}

	/**
	 * Return how many nodes were seen alive lately.
	 */
	long liveNodes() {
		return this.jdbc.sql("SELECT COUNT(*) FROM store_node WHERE last_seen > ?")
			.param(this.clock.millis() - LIVENESS.toMillis())
			.query(Long.class)
			.single();
	}

	void increment() {
		this.jdbc.sql("UPDATE store_node SET book_reads = book_reads + 1 WHERE id = ?").param(this.id).update();
	}

	/**
	 * Return this node's reads since it started.
	 */
	public long thisNode() {
		return this.jdbc.sql("SELECT book_reads FROM store_node WHERE id = ?")
			.param(this.id)
			.query(Long.class)
			.optional()
			.orElse(0L);
	}

	/**
	 * Return every node's reads since the database was last reset, gone nodes included.
	 */
	public long cluster() {
		return this.jdbc.sql("SELECT COALESCE(SUM(book_reads), 0) FROM store_node").query(Long.class).single();
	}

	@Scheduled(fixedDelay = 1000, initialDelay = 1000)
	void heartbeat() {
		int updated = this.jdbc.sql("UPDATE store_node SET name = ?, last_seen = ? WHERE id = ?")
			.params(this.node.name(), this.clock.millis(), this.id)
			.update();
		if (updated == 0) {
			// A node that found no live node reset the database while this one could not
			// reach it (a stall longer than LIVENESS): count again from here.
			register();
		}
	}

	/**
	 * Mark this node gone (its reads stay in the cluster's total).
	 */
	@PreDestroy
	void leave() {
		try {
			this.jdbc.sql("UPDATE store_node SET last_seen = NULL WHERE id = ?").param(this.id).update();
		}
		catch (DataAccessException ex) {
			// H2 may have closed the database in its own shutdown hook: the row then
			// stops being live after LIVENESS instead of now
		}
	}

}
