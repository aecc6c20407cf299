using SteelCI.Contracts;

namespace Severstal.Models;

/// <summary>model.json beside the weights: what to build before loading them, and at which resolution it was trained.</summary>
public sealed record ModelSpec(string Kind, int Outputs, int Channels, int Height, int Width, int ClassId = 0)
{
    public const string FileName = "model.json";

    public void Save(string directory) => File.WriteAllText(Path.Combine(directory, FileName), Json.Serialize(this));

    public static ModelSpec Load(string directory) => Json.Read<ModelSpec>(Path.Combine(directory, FileName));
}
