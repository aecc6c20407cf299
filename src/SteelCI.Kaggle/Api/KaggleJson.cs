using System.Text.Json;
using System.Text.Json.Serialization;

namespace SteelCI.Kaggle.Api;

/// <summary>
/// The RPC wire dialect: camelCase fields, enums by UPPER_SNAKE name (read case-insensitively), int64 as number or
/// string, defaults omitted on write and tolerated when absent on read.
/// </summary>
public static class KaggleJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: true) },
    };
}
