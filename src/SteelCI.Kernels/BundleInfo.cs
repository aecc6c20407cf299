using System.Text.Json.Serialization;

namespace SteelCI.Kernels;

/// <summary>steelci-bundle.json at the root of a trainer bundle: how the launcher starts the trainer.</summary>
public sealed record BundleInfo
{
    public const string FileName = "steelci-bundle.json";

    [JsonPropertyName("format")] public string Format { get; init; } = "steelci.bundle/1";
    /// <summary>framework-dependent (run with dotnet) or self-contained (run the apphost).</summary>
    [JsonPropertyName("runtime")] public required string Runtime { get; init; }
    [JsonPropertyName("entry")] public required string Entry { get; init; }
    [JsonPropertyName("apphost")] public required string Apphost { get; init; }
    /// <summary>Hash of every other file of the bundle.</summary>
    [JsonPropertyName("hash")] public required string Hash { get; init; }
    /// <summary>Files ('/' separated) that had an execute bit when published. Kaggle's datasets (and the zip the bundle goes
    /// up as) keep no modes, so the launcher sets these executable again after Kaggle unpacked the bundle.</summary>
    /// <summary>The libtorch version TorchSharp binds, when the publisher recorded it (else the launcher reads *.deps.json).</summary>
    [JsonPropertyName("libtorch")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Libtorch { get; init; }
    [JsonPropertyName("executables")] public IReadOnlyList<string> Executables { get; init; } = [];
}
