using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SteelCI.Kaggle.Fake;

/// <summary>Reads requests leniently (any casing, booleans as strings) and writes responses like a proto server.</summary>
internal static class FakeWire
{
    /// <summary>Defaults omitted, as a proto server does, so clients learn to tolerate absent fields.</summary>
    public static readonly JsonSerializerOptions Response = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };
}

/// <summary>A request body, read field by field without caring about case.</summary>
internal sealed class FakeRequest(JsonElement root)
{
    public static FakeRequest Parse(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return new FakeRequest(JsonDocument.Parse("{}").RootElement.Clone());
        using var document = JsonDocument.Parse(body);
        return new FakeRequest(document.RootElement.Clone());
    }

    public JsonElement? Field(string name)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return null;
        foreach (var property in root.EnumerateObject())
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind != JsonValueKind.Null)
                return property.Value;
        return null;
    }

    public FakeRequest? Object(string name) => Field(name) is { ValueKind: JsonValueKind.Object } value ? new FakeRequest(value) : null;

    public string? String(string name) => Field(name) switch
    {
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        { } value => value.GetRawText(),
        null => null,
    };

    public bool? Bool(string name) => Field(name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } value when bool.TryParse(value.GetString(), out var parsed) => parsed,
        _ => null,
    };

    public long? Long(string name) => Field(name) switch
    {
        { ValueKind: JsonValueKind.Number } value => value.GetInt64(),
        { ValueKind: JsonValueKind.String } value when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    public IReadOnlyList<string> Strings(string name) => Field(name) is { ValueKind: JsonValueKind.Array } array
        ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
        : [];

    public IReadOnlyList<FakeRequest> Objects(string name) => Field(name) is { ValueKind: JsonValueKind.Array } array
        ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).Select(e => new FakeRequest(e)).ToList()
        : [];
}

/// <summary>An RPC answer: a status code and a body object (or a Google-style error).</summary>
internal sealed record FakeResult(int Status, object Body)
{
    public static FakeResult Ok(object body) => new(200, body);

    public static FakeResult Error(int status, string message, string statusName) =>
        new(status, new { error = new { code = status, message, status = statusName } });

    public static FakeResult NotVisible() => Error(403, "Permission 'kernels.get' was denied", "PERMISSION_DENIED");
    public static FakeResult NotFound(string what) => Error(404, $"{what} not found", "NOT_FOUND");
    public static FakeResult BadRequest(string message) => Error(400, message, "INVALID_ARGUMENT");
}
