using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Parquet;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Integration;
using XtalPS.Lattices;

namespace XtalPS.Campaigns
{
    /// <summary>
    /// The three Parquet tables of a chunk (documented in docs/about_XtalPS_Campaigns.md): images (one row per image),
    /// lattices (one row per lattice, pixel-free: the crystal model, its geometry as DIALS experiment JSON) and
    /// reflections (one row per reflection, the columns of <see cref="ReflectionFileColumns"/> keyed by lattice_id).
    /// Rows are in lattice order: file, frame, lattice index. Zstandard compression; dictionary encoding keeps
    /// repeated text (paths, geometry) to one copy per row group.
    /// </summary>
    internal static class ChunkTables
    {
        public const string Images = "images", Lattices = "lattices", Reflections = "reflections";
        public static readonly string[] Kinds = { Images, Lattices, Reflections };
        /// <summary>Reflection rows per row group: what a reader holds at once.</summary>
        public const int ReflectionRowGroup = 65536;

        public static ParquetOptions Options => new ParquetOptions { CompressionMethod = CompressionMethod.Zstd };

        public static Dictionary<string, string> Metadata(string campaignId, int chunk, string kind) => new Dictionary<string, string>
        {
            ["xtalps.format"] = ChunkRecord.FormatName,
            ["xtalps.table"] = kind,
            ["xtalps.campaign"] = campaignId,
            ["xtalps.chunk"] = chunk.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["xtalps.version"] = typeof(ChunkTables).Assembly.GetName().Version?.ToString() ?? "",
        };

        /// <summary>Writes a whole small table (images, lattices) atomically.</summary>
        public static void WriteAll(string path, ColumnTable table, Dictionary<string, string> metadata)
        {
            AtomicFile.Write(path, stream =>
            {
                Task.Run(async () =>
                {
                    await using var writer = await ParquetWriter.CreateAsync(table.Schema, stream, Options).ConfigureAwait(false);
                    writer.CustomMetadata = metadata;
                    if (table.Rows == 0) { using var rg = writer.CreateRowGroup(); foreach (var c in table.Columns) await c.WriteAsync(rg).ConfigureAwait(false); }
                    else await table.FlushAsync(writer).ConfigureAwait(false);
                }).GetAwaiter().GetResult();
            });
        }

        /// <summary>Every row group of a table file, loaded one after another into <paramref name="table"/>.</summary>
        public static IEnumerable<int> ReadRowGroups(string path, ColumnTable table)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            ParquetReader reader;
            try { reader = Task.Run(() => ParquetReader.CreateAsync(stream, Options, false, default)).GetAwaiter().GetResult(); }
            catch (Exception e) when (!(e is OutOfMemoryException)) { throw new InvalidDataException($"'{path}' is not a readable Parquet file: {e.Message}", e); }
            try
            {
                for (int g = 0; g < reader.RowGroupCount; g++)
                {
                    int rows;
                    int group = g;
                    try { rows = Task.Run(() => table.LoadAsync(reader, group)).GetAwaiter().GetResult(); }
                    catch (Exception e) when (!(e is OutOfMemoryException)) { throw new InvalidDataException($"'{path}': row group {g} cannot be read: {e.Message}", e); }
                    yield return rows;
                }
            }
            finally { Task.Run(() => reader.DisposeAsync().AsTask()).GetAwaiter().GetResult(); }
        }
    }

    /// <summary>chunk_NNNNNN.images.parquet: one row per image.</summary>
    internal sealed class ImageTable : ColumnTable
    {
        private readonly Column<int> _fileIndex, _frame, _spots, _lattices, _reflections, _errors, _chunk;
        private readonly TextColumn _path, _errorId, _errorMessage;
        private readonly Column<double> _spotDMin, _dMin, _a, _b, _c, _alpha, _beta, _gamma, _seconds;

        public ImageTable()
        {
            _fileIndex = Add<int>("file_index");
            _path = AddText("path");
            _frame = Add<int>("frame");
            _chunk = Add<int>("chunk");
            _spots = Add<int>("spots");
            _lattices = Add<int>("lattices");
            _reflections = Add<int>("reflections");
            _spotDMin = Add<double>("spot_d_min");
            _dMin = Add<double>("d_min");
            _a = Add<double>("a"); _b = Add<double>("b"); _c = Add<double>("c");
            _alpha = Add<double>("alpha"); _beta = Add<double>("beta"); _gamma = Add<double>("gamma");
            _errorId = AddText("error_id");
            _errorMessage = AddText("error_message");
            _errors = Add<int>("errors");
            _seconds = Add<double>("seconds");
        }

        public void Add(ImageRecord r)
        {
            _fileIndex.Add(r.FileIndex); _path.Add(r.Path); _frame.Add(r.Frame); _chunk.Add(r.Chunk);
            _spots.Add(r.Spots); _lattices.Add(r.Lattices); _reflections.Add(r.Reflections);
            _spotDMin.Add(r.SpotDMin); _dMin.Add(r.DMin);
            var cell = r.Cell;
            _a.Add(cell?.A ?? double.NaN); _b.Add(cell?.B ?? double.NaN); _c.Add(cell?.C ?? double.NaN);
            _alpha.Add(cell?.Alpha ?? double.NaN); _beta.Add(cell?.Beta ?? double.NaN); _gamma.Add(cell?.Gamma ?? double.NaN);
            _errorId.Add(r.ErrorId); _errorMessage.Add(r.ErrorMessage); _errors.Add(r.Errors); _seconds.Add(r.Seconds);
        }

        public ImageRecord Get(int row)
        {
            UnitCell? cell = null;
            if (!double.IsNaN(_a[row]))
                try { cell = new UnitCell(_a[row], _b[row], _c[row], _alpha[row], _beta[row], _gamma[row]); } catch (ArgumentException) { }
            return new ImageRecord
            {
                FileIndex = _fileIndex[row], Path = _path[row] ?? "", Frame = _frame[row], Chunk = _chunk[row],
                Spots = _spots[row], Lattices = _lattices[row], Reflections = _reflections[row],
                SpotDMin = _spotDMin[row], DMin = _dMin[row], Cell = cell,
                ErrorId = _errorId[row], ErrorMessage = _errorMessage[row], Errors = _errors[row], Seconds = _seconds[row],
            };
        }
    }

    /// <summary>One lattice as it leaves the pipeline, pixel-free: where it came from, its model, its geometry.</summary>
    internal sealed class LatticeRow
    {
        public long LatticeId;
        public int FileIndex, Frame, LatticeIndex, Reflections;
        public string Path = "", Stage = "";
        public Lattice? Lattice, Refined;
    }

    /// <summary>chunk_NNNNNN.lattices.parquet: one row per lattice (per reflection table the script output).</summary>
    internal sealed class LatticeTable : ColumnTable
    {
        private readonly Column<long> _id;
        private readonly Column<int> _fileIndex, _frame, _index, _indexed, _refinedIndexed, _reflections;
        private readonly TextColumn _path, _kind, _stage, _spaceGroup, _geometry;
        private readonly Column<double> _a, _b, _c, _alpha, _beta, _gamma, _rmsd, _mosaicity, _deltaPsi, _refinedRmsd, _wavelength;
        private readonly Column<double>[] _model, _refined;
        private readonly Dictionary<(DetectorModel, Beam?), string> _geometryText = new Dictionary<(DetectorModel, Beam?), string>(new SameObjects());
        private readonly Dictionary<string, ExperimentGeometry?> _geometryModels = new Dictionary<string, ExperimentGeometry?>(StringComparer.Ordinal);

        /// <summary>Names of the 9 model numbers: A = U·B row by row for a crystal lattice; origin, a, b (px), barrel and
        /// spiral distortion and 1 unused for a planar lattice.</summary>
        public static readonly string[] ModelNames = { "m11", "m12", "m13", "m21", "m22", "m23", "m31", "m32", "m33" };

        public LatticeTable()
        {
            _id = Add<long>("lattice_id");
            _fileIndex = Add<int>("file_index");
            _path = AddText("path");
            _frame = Add<int>("frame");
            _index = Add<int>("lattice_index");
            _kind = AddText("kind");
            _stage = AddText("stage");
            _spaceGroup = AddText("space_group");
            _a = Add<double>("a"); _b = Add<double>("b"); _c = Add<double>("c");
            _alpha = Add<double>("alpha"); _beta = Add<double>("beta"); _gamma = Add<double>("gamma");
            _model = ModelNames.Select(n => Add<double>(n)).ToArray();
            _indexed = Add<int>("indexed");
            _rmsd = Add<double>("rmsd");
            _mosaicity = Add<double>("mosaicity");
            _deltaPsi = Add<double>("delta_psi_rms");
            _refined = ModelNames.Select(n => Add<double>("refined_" + n)).ToArray();
            _refinedIndexed = Add<int>("refined_indexed");
            _refinedRmsd = Add<double>("refined_rmsd");
            _wavelength = Add<double>("wavelength");
            _geometry = AddText("geometry");
            _reflections = Add<int>("reflections");
        }

        public void Add(LatticeRow r)
        {
            _id.Add(r.LatticeId); _fileIndex.Add(r.FileIndex); _path.Add(r.Path); _frame.Add(r.Frame); _index.Add(r.LatticeIndex);
            var l = r.Lattice;
            _kind.Add(l?.Kind.ToString());
            _stage.Add(r.Stage);
            var crystal = l as CrystalLattice;
            _spaceGroup.Add(crystal?.SpaceGroup);
            var cell = crystal?.UnitCell;
            _a.Add(cell?.A ?? double.NaN); _b.Add(cell?.B ?? double.NaN); _c.Add(cell?.C ?? double.NaN);
            _alpha.Add(cell?.Alpha ?? double.NaN); _beta.Add(cell?.Beta ?? double.NaN); _gamma.Add(cell?.Gamma ?? double.NaN);
            AddModel(_model, l);
            _indexed.Add(l?.IndexedCount ?? 0);
            _rmsd.Add(l?.Rmsd ?? double.NaN);
            _mosaicity.Add(crystal?.Mosaicity ?? double.NaN);
            _deltaPsi.Add(crystal?.DeltaPsiRms ?? double.NaN);
            AddModel(_refined, r.Refined);
            _refinedIndexed.Add(r.Refined?.IndexedCount ?? 0);
            _refinedRmsd.Add(r.Refined?.Rmsd ?? double.NaN);
            var beam = crystal?.Beam ?? l?.Source?.Beam;
            var detector = crystal?.Detector ?? l?.Source?.Detector;
            _wavelength.Add(beam?.Wavelength ?? double.NaN);
            _geometry.Add(detector == null ? null : GeometryText(detector, beam));
            _reflections.Add(r.Reflections);
        }

        private static void AddModel(Column<double>[] columns, Lattice? l)
        {
            double[] v = l switch
            {
                CrystalLattice c => c.AMatrix.ToArray(),
                PlanarLattice p => new[] { p.Origin.X, p.Origin.Y, p.A.X, p.A.Y, p.B.X, p.B.Y, p.BarrelDistortion, p.SpiralDistortion, 0.0 },
                _ => Enumerable.Repeat(double.NaN, 9).ToArray(),
            };
            for (int i = 0; i < 9; i++) columns[i].Add(v[i]);
        }

        /// <summary>The DIALS experiment JSON of a detector and beam, made once per pair of model objects.</summary>
        private string GeometryText(DetectorModel detector, Beam? beam)
        {
            var key = (detector, beam);
            if (!_geometryText.TryGetValue(key, out var text)) _geometryText[key] = text = DialsExperimentJson.ToJson(detector, beam);
            return text;
        }

        /// <summary>Pairs of model objects compared by reference (a model's own equality may be by value and slow).</summary>
        private sealed class SameObjects : IEqualityComparer<(DetectorModel, Beam?)>
        {
            public bool Equals((DetectorModel, Beam?) x, (DetectorModel, Beam?) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);
            public int GetHashCode((DetectorModel, Beam?) x) =>
                System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(x.Item1) * 31 + (x.Item2 == null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(x.Item2));
        }

        /// <summary>Spots the lattice indexed (kept here: a lattice read back holds no spot list).</summary>
        public int Indexed(int row) => _indexed[row];

        public LatticeRow Get(int row)
        {
            var r = new LatticeRow
            {
                LatticeId = _id[row], FileIndex = _fileIndex[row], Path = _path[row] ?? "", Frame = _frame[row], LatticeIndex = _index[row],
                Stage = _stage[row] ?? "", Reflections = _reflections[row],
            };
            string? geometryText = _geometry[row];
            ExperimentGeometry? geometry = null;
            if (geometryText != null && !_geometryModels.TryGetValue(geometryText, out geometry))
            {
                try { geometry = DialsExperimentJson.Parse("geometry", geometryText); }
                catch (Exception e) when (e is FormatException || e is InvalidImageDataException || e is ArgumentException || e is InvalidDataException) { geometry = null; }
                _geometryModels[geometryText] = geometry;
            }
            string? kind = _kind[row];
            r.Lattice = Model(kind, _model, row, _spaceGroup[row], _indexed[row], _rmsd[row], _mosaicity[row], _deltaPsi[row], geometry);
            r.Refined = Model(kind, _refined, row, _spaceGroup[row], _refinedIndexed[row], _refinedRmsd[row], double.NaN, double.NaN, geometry);
            return r;
        }

        private static Lattice? Model(string? kind, Column<double>[] m, int row, string? spaceGroup, int indexed, double rmsd,
            double mosaicity, double deltaPsi, ExperimentGeometry? geometry)
        {
            if (double.IsNaN(m[0][row])) return null;
            var v = new double[9];
            for (int i = 0; i < 9; i++) v[i] = m[i][row];
            try
            {
                if (kind == nameof(LatticeKind.Crystal))
                {
                    SpaceGroup? group = null;
                    if (spaceGroup != null) SpaceGroup.TryParse(spaceGroup, out group);
                    // The indexed spots are not stored (they belong to the spot list), so IndexedCount reads 0 here;
                    // the count is in the table's "indexed" column.
                    return new CrystalLattice(Mat3.FromArray(v), group, rmsd: rmsd, mosaicity: mosaicity,
                        detector: geometry?.Detector, beam: geometry?.Beam, deltaPsiRms: deltaPsi);
                }
                if (kind == nameof(LatticeKind.Planar))
                    return new PlanarLattice(new Vec2(v[0], v[1]), new Vec2(v[2], v[3]), new Vec2(v[4], v[5]), null, null, indexed, rmsd, v[6], v[7]);
            }
            catch (ArgumentException) { }
            return null;
        }
    }

    /// <summary>chunk_NNNNNN.reflections.parquet: lattice_id and the columns every XtalPS reflection file has (MTZ labels,
    /// lower case) except BATCH and M/ISYM, which belong to a file's layout rather than to the reflection.</summary>
    internal sealed class ReflectionRows : ColumnTable
    {
        private readonly Column<long> _id;
        private readonly (ReflectionFileColumns.Column Source, Column<int>? Int, Column<double>? Real)[] _columns;

        public ReflectionRows()
        {
            _id = Add<long>("lattice_id");
            _columns = ReflectionFileColumns.All.Where(c => c.Label != "M/ISYM" && c.Label != "BATCH").Select(c =>
            {
                string name = c.Label.ToLowerInvariant().Replace('/', '_');
                bool integer = c.MtzType == 'H' || c.MtzType == 'I' || c.MtzType == 'B' || c.MtzType == 'Y';
                return (c, integer ? Add<int>(name) : null, integer ? null : Add<double>(name));
            }).ToArray();
        }

        public void Add(long latticeId, Reflection r)
        {
            _id.Add(latticeId);
            foreach (var (source, i, d) in _columns)
            {
                double v = source.Get(r);
                if (i != null) i.Add(double.IsNaN(v) ? 0 : (int)Math.Round(v));
                else d!.Add(v);
            }
        }

        public long LatticeId(int row) => _id[row];

        public Reflection Get(int row)
        {
            var r = new Reflection();
            foreach (var (source, i, d) in _columns) source.Set(r, i != null ? i[row] : d![row]);
            return r;
        }
    }
}
