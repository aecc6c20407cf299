using System.Text;
using System.Text.Json;

namespace SteelCI.Kaggle.Backend;

/// <summary>Kaggle's log field: a JSON array of {stream_name,time,data}; turned into the plain text the runner reads.</summary>
public static class KernelLog
{
    public static string ToText(string log)
    {
        if (string.IsNullOrWhiteSpace(log) || !log.TrimStart().StartsWith('['))
            return log;
        try
        {
            using var document = JsonDocument.Parse(log);
            var text = new StringBuilder();
            foreach (var entry in document.RootElement.EnumerateArray())
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String)
                    text.Append(data.GetString());
            return text.ToString();
        }
        catch (JsonException)
        {
            return log; // not the documented shape: keep it verbatim rather than lose it
        }
    }
}
