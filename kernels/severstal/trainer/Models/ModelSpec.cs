using SteelCI.Contracts;
using SteelCI.Training;
using static TorchSharp.torch;

namespace Severstal.Models;

/// <summary>
/// model.json beside the weights: what to build before loading them, and at which resolution it was trained.
/// Format 1 (no <c>format</c> field) is the small CNN / 3-level U-Net; format 2 adds <c>format</c> and <c>arch</c>
/// (<c>small</c>, <c>resnet18</c>, <c>resnet34</c>). A format-1 file reads as arch <c>small</c>.
/// </summary>
public sealed record ModelSpec(string Kind, int Outputs, int Channels, int Height, int Width, int ClassId = 0)
{
    public const string FileName = "model.json";
    public const int CurrentFormat = 2;
    public static readonly string[] Archs = ["small", "resnet18", "resnet34"];

    public int Format { get; init; } = 1;
    public string Arch { get; init; } = "small";

    public void Save(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), Json.Serialize(this with { Format = CurrentFormat }));

    public static ModelSpec Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new BadInputException($"{directory} has no {FileName}; it is not a trained model");
        Checkpoint.VerifyAgainstManifest(directory, FileName);
        ModelSpec spec;
        try
        {
            spec = Json.Read<ModelSpec>(path);
        }
        catch (InvalidDataException error)
        {
            throw new BadInputException(error.Message);
        }
        if (spec.Format is < 1 or > CurrentFormat)
            throw new BadInputException($"{path}: model format {spec.Format} is not supported (this trainer reads 1..{CurrentFormat})");
        if (!Archs.Contains(spec.Arch))
            throw new BadInputException($"{path}: arch '{spec.Arch}' is not one of {string.Join(", ", Archs)}");
        return spec;
    }

    /// <summary>The untrained network this spec describes (load the weights into it).</summary>
    public nn.Module<Tensor, Tensor> Build() => Kind == "segment" ? Segmenter(Arch, Channels) : Classifier(Arch, Outputs, Channels);

    public static nn.Module<Tensor, Tensor> Classifier(string arch, int outputs, int channels) =>
        arch == "small" ? new Classifier(outputs, channels) : new ResNetClassifier(arch, outputs, channels);

    public static nn.Module<Tensor, Tensor> Segmenter(string arch, int channels) =>
        arch == "small" ? new UNet(channels) : new ResNetUNet(arch, channels);
}
