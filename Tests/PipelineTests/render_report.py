#!/usr/bin/env python3
"""Renders report.html in headless Chromium and prints the rendered text; saves a screenshot.
Fails when a count written in a heat-map cell has less than 4.5:1 contrast with the cell (WCAG
AA for text, by its relative luminance), as the browser draws them.

Usage: render_report.py REPORT.html SCREENSHOT.png
"""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def main():
    report, screenshot = sys.argv[1:3]
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,2400",
                     "--disable-gpu", "--no-first-run", "--disable-background-networking"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get("file://" + report)
        print(driver.find_element(By.TAG_NAME, "body").text)
        svgs = driver.find_elements(By.TAG_NAME, "svg")
        assert svgs and all(svg.size["width"] > 0 and svg.size["height"] > 0 for svg in svgs), "a chart did not render"
        counts = driver.execute_script("""
            return [...document.querySelectorAll('svg text.count')].map(text => [
                text.textContent, getComputedStyle(text).fill, text.previousElementSibling.getAttribute('fill')]);""")
        for value, ink, cell in counts:
            ratio = contrast(ink, cell)
            assert ratio >= 4.5, f"count {value} drawn in {ink} on {cell}: contrast {ratio:.2f}"
        print(f"heat-map counts legible: {len(counts)}")
        driver.save_screenshot(screenshot)
    finally:
        driver.quit()


def contrast(first, second):
    """WCAG's contrast ratio of two colours, each `#rrggbb` or `rgb(r, g, b)`."""
    def luminance(colour):
        if colour.startswith("#"):
            channels = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
        else:
            channels = [int(part) for part in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3]]
        linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


if __name__ == "__main__":
    main()
