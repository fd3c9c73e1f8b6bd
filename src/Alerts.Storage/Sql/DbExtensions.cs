using System.Data.Common;
using System.Text;

namespace Alerts.Storage.Sql;

internal static class DbExtensions
{
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    public static string? GetNullableString(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>
    /// Runs <c>{head} VALUES (…), (…) {tail}</c> in chunks: one round trip per chunk instead of per row, which is what
    /// makes a poll commit cheap on PostgreSQL. Parameters are named <c>@p{row}_{column}</c>.
    /// </summary>
    public static async Task<int> InsertRowsAsync<T>(
        this DbConnection connection,
        DbTransaction transaction,
        ISqlDialect dialect,
        string head,
        string tail,
        IReadOnlyList<T> rows,
        Func<T, object?[]> values,
        CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return 0;
        }

        var columns = values(rows[0]).Length;
        var perChunk = Math.Max(1, dialect.MaxParametersPerStatement / columns);
        var affected = 0;
        for (var start = 0; start < rows.Count; start += perChunk)
        {
            var count = Math.Min(perChunk, rows.Count - start);
            var sql = new StringBuilder(head.Length + tail.Length + (count * columns * 8));
            sql.Append(head).Append(" VALUES ");
            await using var command = connection.Command("", transaction);
            for (var r = 0; r < count; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                var row = values(rows[start + r]);
                for (var c = 0; c < columns; c++)
                {
                    var name = $"p{r}_{c}";
                    sql.Append(c == 0 ? "@" : ", @").Append(name);
                    command.With(name, row[c]);
                }

                sql.Append(')');
            }

            sql.Append(' ').Append(tail);
            command.CommandText = sql.ToString();
            affected += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return affected;
    }
}
