using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;
using SkiaSharp;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Spots;

namespace XtalPS.Pictures
{
    /// <summary>
    /// A diffraction image as a picture: the assembled detector in the picture plane, scaled and coloured, with axes in
    /// mm and the overlays of the objects piped in with it (spots, predictions, reflections, rings, beam centre, …).
    /// </summary>
    internal static class DiffractionPictureBuilder
    {
        // Fixed margins around the image area (px): left, right, bottom, top; the colour bar needs more on the right.
        private const float AxisLeft = 70, AxisRight = 24, AxisBottom = 52, AxisTop = 40, ColourBarRight = 110;


        /// <summary>Builds the plot of a scene: the layout, the image and the overlays; the caller renders it.</summary>
        public static (Plot Plot, int Width, int Height, PictureFrame Frame, float[] Padding, Dictionary<string, int> Counts, string Description)
            Build(DiffractionScene scene, DiffractionPictureSettings settings)
        {
            settings.Validate();
            var image = scene.ResolveImage();
            var projection = new DetectorProjection(image.Detector, image.Beam);
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            var show = settings.Overlays;
            var pal = OverlayPalette.For(settings.ColourMap);

            double[] region = RegionOf(image, projection, settings);
            bool reflections = (show & PictureOverlay.Reflections) != 0 && scene.Tables.Any(t => t.Count > 0);
            bool bar = settings.Axes && reflections;
            float left = settings.Axes ? AxisLeft : 0, right = settings.Axes ? (bar ? ColourBarRight : AxisRight) : 0;
            float bottom = settings.Axes ? AxisBottom : 0, top = settings.Axes ? AxisTop : 0;
            int dataWidth = Math.Max(16, settings.Width - (int)(left + right));
            int dataHeight = settings.Height > 0
                ? Math.Max(16, settings.Height - (int)(top + bottom))
                : Math.Max(16, (int)Math.Round(dataWidth * (region[3] - region[1]) / (region[2] - region[0])));
            dataHeight = Math.Min(dataHeight, 16384);
            int width = dataWidth + (int)(left + right), height = dataHeight + (int)(top + bottom);
            var frame = new PictureFrame(region[0], region[1], region[2], region[3], dataWidth, dataHeight);

            var plot = new Plot();
            plot.Font.Set("DejaVu Sans");
            // The data rectangle itself, not a padding: ScottPlot widens a fixed padding's data area by a pixel each side.
            plot.Layout.Fixed(new PixelRect(left, left + dataWidth, top + dataHeight, top));
            plot.Axes.SetLimits(frame.U0, frame.U1, frame.V0, frame.V1);
            if (settings.Axes)
            {
                plot.XLabel("x (mm)");
                plot.YLabel("y (mm)");
                plot.Title(settings.Title ?? TitleOf(scene, image));
                plot.Axes.Title.Label.FontSize = 15;
            }
            else plot.HideAxesAndGrid();
            plot.Grid.IsVisible = false;

            var bitmap = Raster(image, projection, frame, settings, counts);
            var rect = plot.Add.ImageRect(new ScottPlot.Image(bitmap), new CoordinateRect(frame.U0, frame.U1, frame.V0, frame.V1));
            rect.AntiAlias = false;
            bitmap.Dispose();

            // Overlays, from the geometry outwards to the data.
            float pitchPx = (float)(image.Detector.Panels[0].PixelSize * projection.Distance / Math.Max(1e-9, image.Detector.Panels[0].Centre.Dot(projection.Downstream)) / frame.Scale);
            float markerSize = Math.Max(9f, Math.Min(40f, 5f * pitchPx));
            if ((show & PictureOverlay.PanelOutlines) != 0 || (show & PictureOverlay.PanelNames) != 0) AddPanels(plot, pal, image, projection, frame, show, counts);
            if ((show & PictureOverlay.BadRegions) != 0) AddBadRegions(plot, pal, image, projection, counts);
            if ((show & PictureOverlay.ResolutionRings) != 0) AddRings(plot, pal, projection, frame, settings.ResolutionRings ?? AutoRings(projection, frame), counts);
            if ((show & PictureOverlay.IceRings) != 0) AddIceRings(plot, pal, projection, frame, counts);
            if ((show & PictureOverlay.BeamCentre) != 0)
            {
                plot.Add.Plottable(new MarkerLayer(new[] { 0.0 }, new[] { 0.0 }, MarkerShape.Cross, 16, pal.Beam, 2));
                counts["BeamCentre"] = 1;
            }
            bool labels = (show & PictureOverlay.MillerIndices) != 0;
            if ((show & PictureOverlay.Lattice) != 0)
                foreach (var planar in scene.Lattices.OfType<PlanarLattice>()) AddPlanarLattice(plot, pal, image, projection, frame, planar, labels, counts);
            if ((show & PictureOverlay.FitBoxes) != 0) AddFitBoxes(plot, pal, projection, frame, scene, settings.FitBoxSize, counts);
            if ((show & PictureOverlay.Predictions) != 0)
                foreach (var crystal in scene.Lattices.OfType<CrystalLattice>())
                {
                    // Reflections drawn from a table already show where its lattice predicts.
                    bool shownByTable = reflections && (settings.Requested & PictureOverlay.Predictions) == 0 &&
                        scene.Tables.Any(t => t.Count > 0 && (ReferenceEquals(t.Lattice, crystal) || ReferenceEquals(t.RefinedLattice, crystal)));
                    if (!shownByTable) AddPredictions(plot, pal, projection, frame, crystal, settings, labels, markerSize, counts);
                }
            if ((show & PictureOverlay.Spots) != 0 || (show & PictureOverlay.SpotBoxes) != 0) AddSpots(plot, pal, projection, frame, scene, show, markerSize, counts);
            if (reflections) AddReflections(plot, pal, projection, frame, scene, labels, bar, markerSize * 0.7f, counts);
            if (settings.Axes && plot.GetPlottables().Any(p => p.LegendItems.Any()))
            {
                plot.ShowLegend(Alignment.UpperLeft);
                plot.Legend.FontSize = 11;
                plot.Legend.BackgroundColor = Colors.White.WithAlpha(0.8);
            }
            string description = Describe(scene, counts);
            return (plot, width, height, frame, new[] { left, right, bottom, top }, counts, description);
        }

        public static RenderedPicture Draw(DiffractionScene scene, DiffractionPictureSettings settings, PictureFormat format)
        {
            var (plot, width, height, frame, padding, counts, description) = Build(scene, settings);
            byte[] bytes = PictureEncoder.Encode(plot, width, height, format);
            var dataArea = new double[] { padding[0], padding[3], padding[0] + frame.Width, padding[3] + frame.Height };
            return new RenderedPicture(bytes, format, width, height, description, dataArea, new[] { frame.U0, frame.V0, frame.U1, frame.V1 }, counts);
        }

        private static double[] RegionOf(DiffractionImage image, DetectorProjection projection, DiffractionPictureSettings settings)
        {
            if (settings.Region != null) return settings.Region.ToArray();
            if (settings.Panel is int p)
            {
                if (p < 0 || p >= image.PanelCount)
                    throw new PictureException(PictureException.EmptyRegionId, $"{image.Name} has panels 0 to {image.PanelCount - 1}; there is no panel {p}.");
                if (settings.PixelRegion == null) return Pad(projection.Bounds(p), 0.02);
                var r = settings.PixelRegion;
                double u0 = double.MaxValue, v0 = double.MaxValue, u1 = double.MinValue, v1 = double.MinValue;
                foreach (var (x, y) in new[] { (r[0], r[1]), (r[2], r[1]), (r[0], r[3]), (r[2], r[3]) })
                {
                    if (!projection.TryProject(p, x, y, out double u, out double v)) continue;
                    u0 = Math.Min(u0, u); u1 = Math.Max(u1, u); v0 = Math.Min(v0, v); v1 = Math.Max(v1, v);
                }
                if (!(u1 > u0 && v1 > v0)) throw new PictureException(PictureException.EmptyRegionId, $"The pixel region does not face the sample on panel {p}.");
                return new[] { u0, v0, u1, v1 };
            }
            return Pad(projection.Bounds(), 0.02);
        }

        private static double[] Pad(double[] b, double fraction)
        {
            double du = (b[2] - b[0]) * fraction, dv = (b[3] - b[1]) * fraction;
            double m = Math.Max(du, dv);
            return new[] { b[0] - m, b[1] - m, b[2] + m, b[3] + m };
        }

        private static SKBitmap Raster(DiffractionImage image, DetectorProjection projection, PictureFrame frame, DiffractionPictureSettings settings, Dictionary<string, int> counts)
        {
            int n = frame.Width * frame.Height;
            var values = ArrayPool<float>.Shared.Rent(n);
            var state = ArrayPool<byte>.Shared.Rent(n);
            try
            {
                ImageRaster.Assemble(image, projection, frame, values, state);
                var scale = IntensityScale.From(values, state, n, settings.Scaling, settings.Brightness);
                var lut = ColourMaps.Table(settings.ColourMap);
                uint empty = ColourMaps.EmptyColour(settings.ColourMap);
                uint masked = (settings.Overlays & PictureOverlay.Mask) != 0 ? ColourMaps.MaskColour : lut[0];
                var bitmap = new SKBitmap(new SKImageInfo(frame.Width, frame.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
                int maskedCount = 0;
                unsafe
                {
                    uint* dst = (uint*)bitmap.GetPixels().ToPointer();
                    for (int k = 0; k < n; k++)
                    {
                        switch (state[k])
                        {
                            case ImageRaster.Valid:
                                dst[k] = lut[(int)(scale.Map(values[k]) * (ColourMaps.Levels - 1) + 0.5)];
                                break;
                            case ImageRaster.Masked:
                                dst[k] = masked; maskedCount++;
                                break;
                            default:
                                dst[k] = empty;
                                break;
                        }
                    }
                }
                bitmap.NotifyPixelsChanged();
                counts["MaskedPicturePixels"] = maskedCount;
                return bitmap;
            }
            finally
            {
                ArrayPool<float>.Shared.Return(values);
                ArrayPool<byte>.Shared.Return(state);
            }
        }

        private static bool TryPoint(DetectorProjection projection, int panel, double x, double y, out Coordinates c)
        {
            c = default;
            if (panel < 0 || panel >= projection.Detector.PanelCount) return false;
            if (!projection.TryProject(panel, x, y, out double u, out double v)) return false;
            c = new Coordinates(u, v);
            return true;
        }

        private static Coordinates[] Outline(DetectorProjection projection, int panel, double x0, double y0, double x1, double y1)
        {
            var list = new List<Coordinates>(4);
            foreach (var (x, y) in new[] { (x0, y0), (x1, y0), (x1, y1), (x0, y1) })
                if (TryPoint(projection, panel, x, y, out var c)) list.Add(c);
            return list.Count == 4 ? list.ToArray() : Array.Empty<Coordinates>();
        }

        private static void AddPanels(Plot plot, OverlayPalette pal, DiffractionImage image, DetectorProjection projection, PictureFrame frame, PictureOverlay show, Dictionary<string, int> counts)
        {
            var layer = new PolylineLayer(pal.Panel, 1f);
            for (int p = 0; p < image.PanelCount; p++)
            {
                var panel = image.Detector.Panels[p];
                if ((show & PictureOverlay.PanelOutlines) != 0) layer.Add(Outline(projection, p, 0, 0, panel.Width, panel.Height));
                if ((show & PictureOverlay.PanelNames) != 0 && TryPoint(projection, p, panel.Width / 2.0, panel.Height / 2.0, out var centre) && frame.Contains(centre.X, centre.Y))
                {
                    var text = plot.Add.Text(string.IsNullOrEmpty(panel.Name) ? p.ToString(CultureInfo.InvariantCulture) : panel.Name, centre);
                    text.LabelFontSize = 9; text.LabelFontColor = pal.Panel; text.LabelAlignment = Alignment.MiddleCenter;
                }
            }
            if (layer.Count > 0) plot.Add.Plottable(layer);
            counts["Panels"] = image.PanelCount;
        }

        private static void AddBadRegions(Plot plot, OverlayPalette pal, DiffractionImage image, DetectorProjection projection, Dictionary<string, int> counts)
        {
            var layer = new PolylineLayer(pal.BadRegion, 1.5f, "declared bad region");
            for (int p = 0; p < image.PanelCount; p++)
                foreach (var b in image.Detector.Panels[p].BadRegions)
                    layer.Add(Outline(projection, p, b.FastMin, b.SlowMin, b.FastMax, b.SlowMax));
            if (layer.Count == 0) return;
            plot.Add.Plottable(layer);
            counts["BadRegions"] = layer.Count;
        }

        /// <summary>Four rings at rounded resolutions spread from the centre of the picture to its edge.</summary>
        internal static IReadOnlyList<double> AutoRings(DetectorProjection projection, PictureFrame frame)
        {
            double reach = new[] { (frame.U0, frame.V0), (frame.U1, frame.V0), (frame.U0, frame.V1), (frame.U1, frame.V1) }
                .Max(c => Math.Sqrt(c.Item1 * c.Item1 + c.Item2 * c.Item2));
            var rings = new List<double>();
            foreach (double f in new[] { 0.25, 0.45, 0.65, 0.85 })
            {
                double d = projection.ResolutionAt(reach * f);
                if (double.IsInfinity(d) || double.IsNaN(d)) continue;
                double step = d >= 10 ? 1 : d >= 3 ? 0.5 : 0.1;
                d = Math.Round(d / step) * step;
                if (d > 0 && !rings.Any(r => Math.Abs(r - d) < 1e-9)) rings.Add(d);
            }
            return rings;
        }

        private static void AddRings(Plot plot, OverlayPalette pal, DetectorProjection projection, PictureFrame frame, IReadOnlyList<double> rings, Dictionary<string, int> counts)
        {
            int n = 0;
            foreach (double d in rings)
            {
                double r = projection.RingRadius(d);
                if (double.IsNaN(r)) continue;
                var circle = plot.Add.Circle(0, 0, r);
                circle.LineColor = pal.Ring; circle.LineWidth = 1.5f; circle.LinePattern = LinePattern.Dashed;
                circle.FillColor = Colors.Transparent;
                n++;
                // The label sits on the ring where the ring is inside the picture, preferring the upper right.
                foreach (double degrees in new[] { 45.0, 135.0, -45.0, -135.0, 90.0, 0.0, 180.0, -90.0 })
                {
                    double a = degrees * Math.PI / 180, u = r * Math.Cos(a), v = r * Math.Sin(a);
                    if (!frame.Contains(u, v)) continue;
                    var text = plot.Add.Text(d.ToString(d >= 10 ? "0" : "0.0#", CultureInfo.InvariantCulture) + " Å", u, v);
                    text.LabelFontSize = 12; text.LabelFontColor = pal.Ring; text.LabelBold = true;
                    text.LabelBackgroundColor = pal.LabelBackground;
                    text.LabelAlignment = Alignment.MiddleCenter;
                    break;
                }
            }
            counts["ResolutionRings"] = n;
        }

        private static void AddIceRings(Plot plot, OverlayPalette pal, DetectorProjection projection, PictureFrame frame, Dictionary<string, int> counts)
        {
            int n = 0;
            foreach (double d in IceRings.Spacings)
            {
                double r = projection.RingRadius(d);
                if (double.IsNaN(r)) continue;
                var circle = plot.Add.Circle(0, 0, r);
                circle.LineColor = pal.Ice.WithAlpha(0.8); circle.LineWidth = 1f; circle.FillColor = Colors.Transparent;
                if (n == 0) circle.LegendText = "ice rings";
                n++;
            }
            counts["IceRings"] = n;
        }

        private static void AddSpots(Plot plot, OverlayPalette pal, DetectorProjection projection, PictureFrame frame, DiffractionScene scene, PictureOverlay show, float size, Dictionary<string, int> counts)
        {
            var indexed = new HashSet<BraggSpot>(ReferenceEqualityComparer.Instance);
            foreach (var crystal in scene.Lattices.OfType<CrystalLattice>())
                foreach (var s in crystal.IndexedSpots) indexed.Add(s.Spot);
            bool knowIndexed = scene.Lattices.OfType<CrystalLattice>().Any();
            var seen = new HashSet<BraggSpot>(ReferenceEqualityComparer.Instance);
            var ux = new List<double>(); var uy = new List<double>();
            var ix = new List<double>(); var iy = new List<double>();
            var boxes = new PolylineLayer(pal.Spot.WithAlpha(0.8), 1f, "spot bounding box");
            foreach (var spot in scene.SpotLists.SelectMany(l => l.Spots).Concat(scene.LooseSpots))
            {
                if (!seen.Add(spot)) continue;
                if (!TryPoint(projection, spot.Panel, spot.X, spot.Y, out var c)) continue;
                if (!frame.Contains(c.X, c.Y)) continue;
                if ((show & PictureOverlay.SpotBoxes) != 0) boxes.Add(Outline(projection, spot.Panel, spot.MinX, spot.MinY, spot.MaxX + 1, spot.MaxY + 1));
                if (indexed.Contains(spot)) { ix.Add(c.X); iy.Add(c.Y); } else { ux.Add(c.X); uy.Add(c.Y); }
            }
            if (boxes.Count > 0) { plot.Add.Plottable(boxes); counts["SpotBoxes"] = boxes.Count; }
            if ((show & PictureOverlay.Spots) == 0) return;
            if (ux.Count > 0)
            {
                plot.Add.Plottable(new MarkerLayer(ux.ToArray(), uy.ToArray(), MarkerShape.OpenCircle, size, pal.Spot, 1.5f, knowIndexed ? "unindexed spot" : "spot"));
            }
            if (ix.Count > 0)
            {
                plot.Add.Plottable(new MarkerLayer(ix.ToArray(), iy.ToArray(), MarkerShape.OpenCircle, size, pal.Indexed, 1.5f, "indexed spot"));
            }
            counts["Spots"] = ux.Count + ix.Count;
            counts["IndexedSpots"] = ix.Count;
        }

        private static void AddPredictions(Plot plot, OverlayPalette pal, DetectorProjection projection, PictureFrame frame, CrystalLattice crystal, DiffractionPictureSettings settings,
            bool labels, float size, Dictionary<string, int> counts)
        {
            if (crystal.Detector == null || crystal.Beam == null) return;
            double dMin = settings.PredictionDMin;
            if (double.IsNaN(dMin))
            {
                double reach = new[] { (frame.U0, frame.V0), (frame.U1, frame.V0), (frame.U0, frame.V1), (frame.U1, frame.V1) }
                    .Max(c => Math.Sqrt(c.Item1 * c.Item1 + c.Item2 * c.Item2));
                dMin = projection.ResolutionAt(reach);
            }
            var predicted = crystal.Predict(Math.Max(0.5, dMin));
            var xs = new List<double>(); var ys = new List<double>();
            foreach (var r in predicted)
            {
                if (!TryPoint(projection, r.Panel, r.X, r.Y, out var c) || !frame.Contains(c.X, c.Y)) continue;
                xs.Add(c.X); ys.Add(c.Y);
                if (labels) AddLabel(plot, pal, c, r.H, r.K, r.L, pal.Prediction, size);
            }
            if (xs.Count == 0) return;
            plot.Add.Plottable(new MarkerLayer(xs.ToArray(), ys.ToArray(), MarkerShape.OpenSquare, size * 1.35f, pal.Prediction, 1f, "predicted"));
            counts["Predictions"] = (counts.TryGetValue("Predictions", out int k) ? k : 0) + xs.Count;
        }

        private static void AddLabel(Plot plot, OverlayPalette pal, Coordinates c, int h, int k, int? l, Color colour, float size)
        {
            string text = l.HasValue
                ? string.Format(CultureInfo.InvariantCulture, "{0} {1} {2}", h, k, l.Value)
                : string.Format(CultureInfo.InvariantCulture, "{0} {1}", h, k);
            var t = plot.Add.Text(text, c);
            t.LabelFontSize = 9; t.LabelFontColor = colour; t.LabelAlignment = Alignment.LowerLeft;
            t.LabelOffsetX = size * 0.5f; t.LabelOffsetY = -size * 0.5f;
        }

        private static void AddPlanarLattice(Plot plot, OverlayPalette pal, DiffractionImage image, DetectorProjection projection, PictureFrame frame, PlanarLattice lattice,
            bool labels, Dictionary<string, int> counts)
        {
            var panel = image.PanelImages[0];
            var xs = new List<double>(); var ys = new List<double>();
            foreach (var point in lattice.PredictOnImage(panel.Width, panel.Height))
            {
                if (!TryPoint(projection, 0, point.X, point.Y, out var c) || !frame.Contains(c.X, c.Y)) continue;
                xs.Add(c.X); ys.Add(c.Y);
                if (labels) AddLabel(plot, pal, c, point.H, point.K, null, pal.Lattice, 8);
            }
            if (xs.Count > 0)
            {
                plot.Add.Plottable(new MarkerLayer(xs.ToArray(), ys.ToArray(), MarkerShape.Eks, 7, pal.Lattice, 1.2f, "lattice point"));
            }
            // The basis vectors a and b from the origin.
            if (TryPoint(projection, 0, lattice.Origin.X, lattice.Origin.Y, out var o))
            {
                foreach (var (v, name) in new[] { (lattice.Predict(1, 0), "a"), (lattice.Predict(0, 1), "b") })
                {
                    if (!TryPoint(projection, 0, v.X, v.Y, out var tip)) continue;
                    var arrow = plot.Add.Arrow(o, tip);
                    arrow.ArrowLineColor = pal.Lattice; arrow.ArrowFillColor = pal.Lattice;
                    arrow.ArrowLineWidth = 0; arrow.ArrowWidth = 2; arrow.ArrowheadWidth = 9; arrow.ArrowheadLength = 10;
                    var t = plot.Add.Text(name, tip);
                    t.LabelFontSize = 13; t.LabelBold = true; t.LabelFontColor = pal.Lattice; t.LabelAlignment = Alignment.LowerLeft;
                }
            }
            counts["LatticePoints"] = (counts.TryGetValue("LatticePoints", out int k) ? k : 0) + xs.Count;
        }

        private static void AddFitBoxes(Plot plot, OverlayPalette pal, DetectorProjection projection, PictureFrame frame, DiffractionScene scene, int fitBoxSize, Dictionary<string, int> counts)
        {
            var layer = new PolylineLayer(pal.FitBox, 1f, "Gaussian fit box");
            foreach (var table in scene.Tables)
            {
                if (!string.Equals(table.Stage, "Extract", StringComparison.OrdinalIgnoreCase)) continue;
                int h = new XtalPS.Extraction.ExtractionSettings { BoxSize = fitBoxSize }.FitHalfSize;
                foreach (var r in table.Reflections)
                {
                    if (double.IsNaN(r.PredictedX) || double.IsNaN(r.PredictedY)) continue;
                    // The box Invoke-LatticeExtract fits: 2h+1 pixels about the pixel of the prediction.
                    double x0 = Math.Floor(r.PredictedX) - h, y0 = Math.Floor(r.PredictedY) - h;
                    layer.Add(Outline(projection, r.Panel, x0, y0, x0 + 2 * h + 1, y0 + 2 * h + 1));
                }
            }
            if (layer.Count == 0) return;
            plot.Add.Plottable(layer);
            counts["FitBoxes"] = layer.Count;
        }

        private static void AddReflections(Plot plot, OverlayPalette pal, DetectorProjection projection, PictureFrame frame, DiffractionScene scene, bool labels, bool bar, float size,
            Dictionary<string, int> counts)
        {
            var points = new List<(Coordinates C, double IOverSigma, Reflection R)>();
            foreach (var table in scene.Tables)
                foreach (var r in table.Reflections)
                {
                    double x = double.IsNaN(r.X) ? r.PredictedX : r.X, y = double.IsNaN(r.Y) ? r.PredictedY : r.Y;
                    if (!TryPoint(projection, r.Panel, x, y, out var c) || !frame.Contains(c.X, c.Y)) continue;
                    double i = r.Intensity, s = r.Sigma;
                    if (double.IsNaN(i)) { i = r.Amplitude; s = r.AmplitudeSigma; }
                    points.Add((c, s > 0 ? i / s : double.NaN, r));
                }
            if (points.Count == 0) return;
            var values = points.Select(p => p.IOverSigma).Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
            double top = values.Length == 0 ? 10 : Math.Max(5, values[(int)(0.95 * (values.Length - 1))]);
            var colours = new ColourScale(new ScottPlot.Colormaps.Viridis(), 0, top);
            const int Bins = 16;
            for (int b = 0; b < Bins; b++)
            {
                var inBin = points.Where(p => !double.IsNaN(p.IOverSigma) && Math.Min(Bins - 1, (int)(Math.Max(0, p.IOverSigma) / top * Bins)) == b).ToArray();
                if (inBin.Length == 0) continue;
                plot.Add.Plottable(new MarkerLayer(inBin.Select(p => p.C.X).ToArray(), inBin.Select(p => p.C.Y).ToArray(), MarkerShape.FilledCircle, size,
                    colours.Colormap.GetColor((b + 0.5) / Bins), 0));
            }
            var unmeasured = points.Where(p => double.IsNaN(p.IOverSigma)).ToArray();
            if (unmeasured.Length > 0)
            {
                plot.Add.Plottable(new MarkerLayer(unmeasured.Select(p => p.C.X).ToArray(), unmeasured.Select(p => p.C.Y).ToArray(), MarkerShape.OpenCircle, size, Colors.Gray, 1.5f, "reflection without I/σ"));
            }
            if (labels) foreach (var p in points) AddLabel(plot, pal, p.C, p.R.H, p.R.K, p.R.L, pal.Label, size);
            if (bar)
            {
                var colourBar = plot.Add.ColorBar(colours);
                colourBar.Label = "I/σ(I)";
            }
            counts["Reflections"] = points.Count;
        }

        private static string TitleOf(DiffractionScene scene, DiffractionImage image)
        {
            var parts = new List<string>();
            int spots = scene.SpotLists.Sum(s => s.Count) + scene.LooseSpots.Count;
            if (scene.SpotLists.Count > 0 || scene.LooseSpots.Count > 0) parts.Add(spots.ToString(CultureInfo.InvariantCulture) + " spots");
            if (scene.Lattices.Count > 0)
                parts.Add(string.Format(CultureInfo.InvariantCulture, "{0} lattice{1}, {2} indexed", scene.Lattices.Count, scene.Lattices.Count == 1 ? "" : "s", scene.Lattices.Sum(l => l.IndexedCount)));
            if (scene.Tables.Count > 0) parts.Add(scene.Tables.Sum(t => t.Count).ToString(CultureInfo.InvariantCulture) + " reflections");
            string name = image.Name;
            return parts.Count == 0 ? name : name + " — " + string.Join(", ", parts);
        }

        private static string Describe(DiffractionScene scene, Dictionary<string, int> counts) =>
            scene.Name + ": " + string.Join(", ", counts.Where(c => c.Key != "MaskedPicturePixels" && c.Value > 0).Select(c => $"{c.Value} {c.Key}"));
    }

    /// <summary>A colour axis (for ScottPlot's colour bar) over a fixed range.</summary>
    internal sealed class ColourScale : IHasColorAxis
    {
        private readonly double _min, _max;
        public ColourScale(IColormap colormap, double min, double max) { Colormap = colormap; _min = min; _max = max; }
        public IColormap Colormap { get; set; }
        public ScottPlot.Range GetRange() => new ScottPlot.Range(_min, _max);
    }
}
