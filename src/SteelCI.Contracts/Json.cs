using System.Text.Json;
using System.Text.Json.Serialization;

namespace SteelCI.Contracts;

/// <summary>The one JSON dialect of SteelCI's files: camelCase, indented, enums by name, nulls omitted.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Reads a SteelCI JSON file; a broken file is an <see cref="InvalidDataException"/> naming it.</summary>
    public static T Read<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options)
                ?? throw new InvalidDataException($"{path}: empty JSON document");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{path}: not a valid {typeof(T).Name} ({error.Message})", error);
        }
    }
}
