using System.Globalization;
using System.Text;

namespace SteelCI.Training;

/// <summary>
/// The per-epoch record of a stage, written into its output folder after every epoch so that the release shows whether
/// it converged: <c>learning_curve.csv</c> (epoch, train_loss, then the stage's validation metrics in first-seen
/// order) and <c>learning_curve.png</c> (<see cref="CurvePlot"/>). A resumed run reads the rows its checkpoint folder
/// holds and continues them, so a stage split over sessions still has one curve.
/// </summary>
public sealed class LearningCurve
{
    public const string CsvFile = "learning_curve.csv";
    public const string PngFile = "learning_curve.png";

    private readonly List<(int Epoch, double Loss, Dictionary<string, double> Metrics)> _rows = [];
    private readonly List<string> _columns = [];

    public IReadOnlyList<(int Epoch, double Loss, Dictionary<string, double> Metrics)> Rows => _rows;
    public IReadOnlyList<string> MetricNames => _columns;

    public void Add(int epoch, double trainLoss, IReadOnlyDictionary<string, double> metrics)
    {
        _rows.RemoveAll(r => r.Epoch >= epoch);
        _rows.Add((epoch, trainLoss, metrics.ToDictionary()));
        foreach (var name in metrics.Keys.Where(n => !_columns.Contains(n)))
            _columns.Add(name);
    }

    /// <summary>
    /// Writes the CSV and the PNG (each via a temporary file and a rename: whole or not at all), or leaves them in
    /// <paramref name="pending"/> to be renamed with the rest of a checkpoint.
    /// </summary>
    public void Write(string folder, PendingFiles? pending = null)
    {
        var text = new StringBuilder("epoch,train_loss");
        foreach (var name in _columns)
            text.Append(',').Append(name);
        text.Append('\n');
        foreach (var (epoch, loss, metrics) in _rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{epoch},{loss:R}");
            foreach (var name in _columns)
                text.Append(',').Append(metrics.TryGetValue(name, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "");
            text.Append('\n');
        }
        PendingFiles.Replace(Path.Combine(folder, CsvFile), path => File.WriteAllText(path, text.ToString()), pending);
        PendingFiles.Replace(Path.Combine(folder, PngFile), path => CurvePlot.Write(path, this), pending);
    }

    /// <summary>The curve a checkpoint folder holds, up to <paramref name="lastEpoch"/>; empty when it has none.</summary>
    public static LearningCurve Read(string folder, int lastEpoch)
    {
        var curve = new LearningCurve();
        var path = Path.Combine(folder, CsvFile);
        if (!File.Exists(path))
            return curve;
        var lines = File.ReadAllLines(path);
        var header = lines.Length > 0 ? lines[0].Split(',') : [];
        if (header.Length < 2 || header[0] != "epoch" || header[1] != "train_loss")
            throw new BadInputException($"{path}:1: expected a header starting epoch,train_loss");
        for (var i = 1; i < lines.Length; i++)
        {
            var fields = lines[i].Split(',');
            if (fields.Length != header.Length || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) ||
                !double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var loss))
                throw new BadInputException($"{path}:{i + 1}: expected {header.Length} fields: an epoch number, a loss, metrics");
            if (epoch > lastEpoch)
                continue;
            var metrics = new Dictionary<string, double>();
            for (var c = 2; c < header.Length; c++)
                if (double.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    metrics[header[c]] = value;
            curve.Add(epoch, loss, metrics);
        }
        return curve;
    }
}
