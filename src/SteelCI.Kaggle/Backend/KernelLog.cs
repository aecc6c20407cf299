using SteelCI.Kaggle.Api;

namespace SteelCI.Kaggle.Backend;

/// <summary>Kaggle's log field: a JSON array of {stream_name,time,data}; turned into the plain text the runner reads.</summary>
public static class KernelLog
{
    /// <summary>The entries' data in order; a log that is not the documented array is kept verbatim rather than lost.</summary>
    public static string ToText(string log) =>
        string.IsNullOrWhiteSpace(log) || !log.TrimStart().StartsWith('[') || KernelLogStream.ParseLog(log) is not { } entries
            ? log
            : string.Concat(entries.Select(e => e.Data));
}
