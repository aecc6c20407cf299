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

    /// <summary>The metadata of a kernel placed on an account (<see cref="KernelSpec.Owner"/> set by <see cref="KernelSpec.ForAccount"/>).</summary>
    public static KernelMetadata For(KernelSpec spec, string gpuMachineShape) =>
        For(spec.Owner ?? throw new ArgumentException($"kernel {spec.Slug} has no owner yet: place it on an account first", nameof(spec)),
            spec.Slug, LauncherScript.FileName, spec.Accelerator, spec.Mounts, gpuMachineShape);

    /// <summary>The metadata of <paramref name="owner"/>'s kernel <paramref name="slug"/> running <paramref name="codeFile"/> with these inputs attached.</summary>
    public static KernelMetadata For(string owner, string slug, string codeFile, string accelerator, IReadOnlyList<KernelMount> mounts, string gpuMachineShape)
    {
        var gpu = accelerator == "gpu";
        return new KernelMetadata
        {
            Id = $"{owner}/{slug}",
            Title = slug, // Kaggle derives the slug from the title: the slug is its own slugified title
            CodeFile = codeFile,
            EnableGpu = gpu ? "true" : "false",
            MachineShape = gpu ? gpuMachineShape : null,
            DatasetSources = mounts.Where(m => m.Competition is null && !m.KernelOutput).Select(m => $"{owner}/{m.AttachedAs}").Distinct().ToList(),
            CompetitionSources = mounts.Select(m => m.Competition).OfType<string>().Distinct().ToList(),
            KernelSources = mounts.Where(m => m.KernelOutput).Select(m => $"{owner}/{m.AttachedAs}").Distinct().ToList(),
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });
}
