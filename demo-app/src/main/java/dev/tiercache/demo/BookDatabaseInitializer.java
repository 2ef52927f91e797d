package dev.tiercache.demo;

import java.util.List;
import java.util.stream.LongStream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Seeds the shared database with books 1 to {@code demo.store.size} when it has none, and
 * registers this node's read counter. Nodes start at the same time, so each decides under
 * a row lock ({@code store_lock}): the first node to find the database without a live
 * node (with {@code demo.store.reset-when-alone}) restores the seeded titles and zeroes
 * the read counts, so every demo run starts from the same state; the others join as they
 * are.
 *
 * @author tiercache
 */
@Component
class BookDatabaseInitializer implements InitializingBean {

	private static final Log logger = LogFactory.getLog(BookDatabaseInitializer.class);

	private final JdbcClient jdbc;

	private final JdbcTemplate batches;

	private final TransactionTemplate transactions;

	private final StoreReads reads;

	private final BookStoreProperties properties;

	BookDatabaseInitializer(JdbcClient jdbc, JdbcTemplate batches, TransactionTemplate transactions, StoreReads reads,
			BookStoreProperties properties) {
		this.jdbc = jdbc;
		this.batches = batches;
		this.transactions = transactions;
		this.reads = reads;
		this.properties = properties;
	}

	@Override
	public void afterPropertiesSet() {
		createLockRow();
		this.transactions.executeWithoutResult((status) -> {
			this.jdbc.sql("SELECT id FROM store_lock WHERE id = 1 FOR UPDATE").query(Integer.class).list();
			boolean alone = this.reads.liveNodes() == 0;
			if (alone && this.properties.resetWhenAlone()) {
				this.jdbc.sql("DELETE FROM store_node").update();
				this.jdbc.sql("DELETE FROM book").update();
			}
			long books = this.jdbc.sql("SELECT COUNT(*) FROM book").query(Long.class).single();
			if (books == 0) {
				seed();
				logger.info("Seeded the database with books 1 to " + this.properties.size());
			}
			this.reads.register();
		});
	}

	private void createLockRow() {
		if (this.jdbc.sql("SELECT COUNT(*) FROM store_lock").query(Long.class).single() == 0) {
			try {
				this.jdbc.sql("INSERT INTO store_lock (id) VALUES (1)").update();
			}
			catch (DataIntegrityViolationException ex) {
				// another node inserted it first
			}
		}
	}

	private void seed() {
		List<Object[]> rows = LongStream.rangeClosed(1, this.properties.size())
			.mapToObj((id) -> new Object[] { id, "Book " + id })
			.toList();
		this.batches.batchUpdate("INSERT INTO book (id, title) VALUES (?, ?)", rows);
	}

}
