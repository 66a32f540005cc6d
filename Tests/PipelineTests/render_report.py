#!/usr/bin/env python3
"""Renders report.html in headless Chromium and prints the rendered text; saves a screenshot.

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
        driver.save_screenshot(screenshot)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
