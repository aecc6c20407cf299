using Severstal.Data;
using SteelCI.Contracts;
using SteelCI.Training;

namespace Severstal.Stages;

/// <summary>Reads a stage's inputs, turning unreadable data into a bad-input failure that names the file.</summary>
internal static class Inputs
{
    public const string Dataset = "severstal";

    public static (string Folder, TrainLabels Labels) Data(StageContext context)
    {
        var folder = InputCheck.RealFolder(context.Input(context.Param("data", Dataset)));
        try
        {
            var labels = TrainLabels.Load(folder);
            InputCheck.Params(context);
            InputCheck.Dataset(folder); // bad data is refused here, naming the file, before any batch is read
            return (folder, labels);
        }
        catch (Exception error) when (error is InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BadInputException(error.Message);
        }
    }

    public static (int Height, int Width) Resolution(StageContext context)
    {
        int height = context.Int("height", 64), width = context.Int("width", 400);
        if (Rle.Height % height != 0 || Rle.Width % width != 0 || height % 8 != 0 || width % 8 != 0)
            throw new BadInputException($"stage {context.Config.Stage}: height {height} and width {width} must divide 256 and 1600 and be multiples of 8");
        return (height, width);
    }

    /// <summary>The thresholds an upstream stage chose, from the manifest in its release folder.</summary>
    public static IReadOnlyDictionary<string, double> Thresholds(string folder) =>
        Json.Read<Manifest>(Path.Combine(folder, Manifest.FileName)).Thresholds;
}
