using System.Text.Json;
using System.Text.Json.Serialization;

namespace SteelCI.Kernels;

/// <summary>kernel-metadata.json in the official Kaggle CLI's format (snake_case keys, booleans as strings).</summary>
public sealed record KernelMetadata
{
    public const string FileName = "kernel-metadata.json";

    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("title")] public required string Title { get; init; }
    [JsonPropertyName("code_file")] public required string CodeFile { get; init; }
    [JsonPropertyName("language")] public string Language { get; init; } = "python";
    [JsonPropertyName("kernel_type")] public string KernelType { get; init; } = "script";
    [JsonPropertyName("is_private")] public string IsPrivate { get; init; } = "true";
    [JsonPropertyName("enable_gpu")] public required string EnableGpu { get; init; }
    [JsonPropertyName("enable_tpu")] public string EnableTpu { get; init; } = "false";
    [JsonPropertyName("enable_internet")] public string EnableInternet { get; init; } = "false";
    [JsonPropertyName("machine_shape")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MachineShape { get; init; }
    [JsonPropertyName("dataset_sources")] public required IReadOnlyList<string> DatasetSources { get; init; }
    [JsonPropertyName("competition_sources")] public IReadOnlyList<string> CompetitionSources { get; init; } = [];
    [JsonPropertyName("kernel_sources")] public IReadOnlyList<string> KernelSources { get; init; } = [];
    [JsonPropertyName("model_sources")] public IReadOnlyList<string> ModelSources { get; init; } = [];
    [JsonPropertyName("keywords")] public IReadOnlyList<string> Keywords { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });
}
