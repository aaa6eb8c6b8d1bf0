using System;
using System.Collections.Generic;
using System.Globalization;

namespace XtalPS.Formats
{
    /// <summary>One MTZ column: label, CCP4 type letter (H index, J intensity, Q σ, B batch, Y M/ISYM, I integer, R real, …) and dataset.</summary>
    public sealed class MtzColumn
    {
        public MtzColumn(string label, char type, int datasetId) { Label = label; Type = type; DatasetId = datasetId; }
        public string Label { get; }
        public char Type { get; }
        public int DatasetId { get; }
        /// <summary>Smallest and largest non-missing value as the header states them.</summary>
        public double Min { get; set; } = double.NaN;
        public double Max { get; set; } = double.NaN;
        public override string ToString() => $"{Label} {Type} @{DatasetId}";
    }

    /// <summary>A project/crystal/dataset entry of an MTZ header.</summary>
    public sealed class MtzDataset
    {
        public int Id { get; set; }
        public string Project { get; set; } = "";
        public string Crystal { get; set; } = "";
        public string Dataset { get; set; } = "";
        public double[] Cell { get; set; } = new double[6];
        public double Wavelength { get; set; }
        public override string ToString() => $"{Id} {Project}/{Crystal}/{Dataset}";
    }

    /// <summary>
    /// One batch (image) header of an unmerged MTZ file: 29 integer and 156 real words (CCP4 MTZBAT layout, as
    /// in the CCP4 library's mtzlib), a title and three axis names.
    /// </summary>
    public sealed class MtzBatch
    {
        public const int IntWords = 29, RealWords = 156;
        public int Number { get; set; }
        public string Title { get; set; } = "";
        public int[] Ints { get; } = new int[IntWords];
        public float[] Floats { get; } = new float[RealWords];
        public string[] Axes { get; set; } = { "", "", "" };

        public double[] Cell => new double[] { Floats[0], Floats[1], Floats[2], Floats[3], Floats[4], Floats[5] };
        /// <summary>Orientation matrix U, row-major (the file stores it column by column).</summary>
        public double[] U
        {
            get
            {
                var u = new double[9];
                for (int c = 0; c < 3; c++) for (int r = 0; r < 3; r++) u[r * 3 + c] = Floats[6 + c * 3 + r];
                return u;
            }
        }
        public double Wavelength => Floats[86];
        public int DatasetId => Ints[20];

        /// <summary>A header with the word counts and the usual defaults filled in.</summary>
        public static MtzBatch Create(int number)
        {
            var b = new MtzBatch { Number = number };
            b.Ints[0] = IntWords + RealWords; b.Ints[1] = IntWords; b.Ints[2] = RealWords;
            return b;
        }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "batch {0} {1}", Number, Title);
    }

    /// <summary>The contents of an MTZ file: header facts and the reflection table as float32 rows.</summary>
    public sealed class MtzFile
    {
        public string Title { get; set; } = "";
        public double[] Cell { get; set; } = new double[6];
        public int[] SortOrder { get; set; } = new int[5];
        public string SpaceGroupName { get; set; } = "";
        public int SpaceGroupNumber { get; set; }
        public string PointGroupName { get; set; } = "";
        public char LatticeType { get; set; } = 'P';
        public List<string> SymmetryOperators { get; } = new List<string>();
        /// <summary>1/d² of the lowest and highest resolution reflection (header RESO).</summary>
        public double MinReciprocalResolution { get; set; } = double.NaN;
        public double MaxReciprocalResolution { get; set; } = double.NaN;
        /// <summary>Value that marks a missing number (NaN for VALM NAN).</summary>
        public float MissingValue { get; set; } = float.NaN;
        public List<MtzColumn> Columns { get; } = new List<MtzColumn>();
        public List<MtzDataset> Datasets { get; } = new List<MtzDataset>();
        public List<MtzBatch> Batches { get; } = new List<MtzBatch>();
        public List<string> History { get; } = new List<string>();
        public bool BigEndian { get; set; }
        public int ReflectionCount { get; set; }
        /// <summary>Row-major values: ReflectionCount × Columns.Count.</summary>
        public float[] Data { get; set; } = Array.Empty<float>();

        /// <summary>Merged files have no batches.</summary>
        public bool IsMerged => Batches.Count == 0;

        /// <summary>Index of the first column with this label (case-insensitive), or −1.</summary>
        public int ColumnIndex(string label)
        {
            for (int i = 0; i < Columns.Count; i++) if (string.Equals(Columns[i].Label, label, StringComparison.OrdinalIgnoreCase)) return i;
            return -1;
        }

        /// <summary>Index of the first column of a type, or −1.</summary>
        public int ColumnIndex(char type)
        {
            for (int i = 0; i < Columns.Count; i++) if (Columns[i].Type == type) return i;
            return -1;
        }

        public float this[int row, int column] => Data[(long)row * Columns.Count + column];

        public bool IsMissing(float v) => float.IsNaN(v) || (!float.IsNaN(MissingValue) && v == MissingValue);

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "MTZ {0} columns, {1} reflections, {2} batches", Columns.Count, ReflectionCount, Batches.Count);
    }
}
