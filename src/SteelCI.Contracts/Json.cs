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

    /// <summary>Parses a SteelCI JSON file already read; a broken one is an <see cref="InvalidDataException"/> naming <paramref name="path"/>.</summary>
    public static T Parse<T>(byte[] bytes, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(System.Text.Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF'), Options)
                ?? throw new InvalidDataException($"{path}: empty JSON document");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{path}: not a valid {typeof(T).Name} ({error.Message})", error);
        }
    }

    /// <summary>Reads a SteelCI JSON file; a broken file is an <see cref="InvalidDataException"/> naming it.</summary>
    public static T Read<T>(string path) => Parse<T>(File.ReadAllBytes(path), path);
}
