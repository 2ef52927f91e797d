-- Portable SQL (H2, PostgreSQL, ...): every node runs it at start-up.
CREATE TABLE IF NOT EXISTS book (
	id BIGINT PRIMARY KEY,
	title VARCHAR(255) NOT NULL
);

-- One row per node process: its reads of the book table and when it was last seen alive.
CREATE TABLE IF NOT EXISTS store_node (
	id VARCHAR(64) PRIMARY KEY,
	name VARCHAR(255) NOT NULL,
	book_reads BIGINT NOT NULL,
	last_seen BIGINT
);

-- One row, locked by a starting node while it decides whether to seed or reset.
CREATE TABLE IF NOT EXISTS store_lock (
	id INT PRIMARY KEY
);
