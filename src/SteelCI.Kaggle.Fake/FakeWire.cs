using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SteelCI.Kaggle.Fake;

/// <summary>Writes responses like a proto server; requests are read strictly (<see cref="FakeRequest"/>, <see cref="FakeSchema"/>).</summary>
internal static class FakeWire
{
    /// <summary>Defaults omitted, as a proto server does, so clients learn to tolerate absent fields.</summary>
    public static readonly JsonSerializerOptions Response = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };
}

/// <summary>
/// A request body that <see cref="FakeSchema"/> has already checked, read field by field under the exact name the SDK
/// writes (lowerCamelCase) or the proto field name (snake_case), as a proto3 JSON parser reads it; nothing else.
/// </summary>
internal sealed class FakeRequest(JsonElement root)
{
    public static FakeRequest Parse(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return new FakeRequest(JsonDocument.Parse("{}").RootElement.Clone());
        using var document = JsonDocument.Parse(body);
        return new FakeRequest(document.RootElement.Clone());
    }

    public JsonElement Root => root;

    public JsonElement? Field(string name)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return null;
        var snake = string.Concat(name.Select(c => char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString()));
        foreach (var property in root.EnumerateObject())
            if ((property.NameEquals(name) || property.NameEquals(snake)) && property.Value.ValueKind != JsonValueKind.Null)
                return property.Value;
        return null;
    }

    public FakeRequest? Object(string name) => Field(name) is { ValueKind: JsonValueKind.Object } value ? new FakeRequest(value) : null;

    public string? String(string name) => Field(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public bool? Bool(string name) => Field(name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };

    /// <summary>An integer: a JSON number, or a decimal string (proto3 JSON allows both for int64).</summary>
    public long? Long(string name) => Field(name) switch
    {
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt64(out var number) => number,
        { ValueKind: JsonValueKind.String } value when long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    /// <summary>An enum by name (proto3 JSON also allows its number; <paramref name="names"/> in declaration order).</summary>
    public string? Enum(string name, IReadOnlyList<string> names) => Field(name) switch
    {
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt32(out var n) && n >= 0 && n < names.Count => names[n],
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
