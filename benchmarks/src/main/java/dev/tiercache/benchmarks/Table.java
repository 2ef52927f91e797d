package dev.tiercache.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Markdown table that the benchmarks print their results as, so that docs/benchmarks.md
 * can quote them as they are.
 *
 * @author tiercache
 */
public final class Table {

	private final String title;

	private final List<String> header;

	private final List<List<String>> rows = new ArrayList<>();

	/**
	 * Create an empty table.
	 * @param title printed above the table
	 * @param header the column names
	 */
	public Table(String title, String... header) {
		this.title = title;
		this.header = List.of(header);
	}

	/**
	 * Add a row; numbers are formatted for reading.
	 * @param cells one value per column
	 * @return this table
	 */
	public Table row(Object... cells) {
		List<String> row = new ArrayList<>();
		for (Object cell : cells) {
			row.add(format(cell));
		}
		this.rows.add(row);
		return this;
	}

	/**
	 * Print the table to standard output.
	 */
	public void print() {
		StringBuilder out = new StringBuilder("\n#### ").append(this.title).append("\n\n");
		line(out, this.header);
		List<String> rule = new ArrayList<>();
		this.header.forEach((column) -> rule.add("---"));
		line(out, rule);
		this.rows.forEach((row) -> line(out, row));
		System.out.print(out);
		System.out.flush();
	}

	/**
	 * Format a ratio, such as {@code 0.93x}.
	 * @param value the measured value
	 * @param baseline what it is compared with
	 * @return the ratio, or {@code -} when the baseline is zero
	 */
	public static String ratio(double value, double baseline) {
		return (baseline == 0) ? "-" : String.format(Locale.ROOT, "%.2fx", value / baseline);
	}

	private static void line(StringBuilder out, List<String> cells) {
		out.append("| ").append(String.join(" | ", cells)).append(" |\n");
	}

	private static String format(Object cell) {
		if (cell instanceof Double number) {
			double value = number;
			if (Math.abs(value) >= 100) {
				return String.format(Locale.ROOT, "%,.0f", value);
			}
			return String.format(Locale.ROOT, "%.2f", value);
		}
		if (cell instanceof Long || cell instanceof Integer) {
			return String.format(Locale.ROOT, "%,d", ((Number) cell).longValue());
		}
		return String.valueOf(cell);
	}

}
